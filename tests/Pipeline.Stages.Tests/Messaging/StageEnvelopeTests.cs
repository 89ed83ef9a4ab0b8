// Decoding MassTransit envelopes without a bus: fault envelopes expose the exception text and the faulted Contracts
// message, bodies that are not envelopes stay readable, and bodies that are not JSON are refused clearly. (Envelopes
// written by a real bus are decoded in OperationsRabbitMqTests.)
using System.Text;
using Pipeline.Contracts;
using Pipeline.Stages.Messaging;

namespace Pipeline.Stages.Tests.Messaging;

public sealed class StageEnvelopeTests
{
    [Fact]
    public void Parse_FaultEnvelope_FaultOfContractWithMessagesAndInnerCommand()
    {
        const string body = """
            {"messageId":"0a1b","sentTime":"2026-01-02T03:04:05Z",
             "messageType":["urn:message:MassTransit:Fault[[Pipeline.Contracts:AdvanceCampaign]]","urn:message:MassTransit:Fault"],
             "message":{"faultId":"x","exceptions":[{"exceptionType":"System.InvalidOperationException","message":"state.json conflict"}],
                        "message":{"campaignId":"c7","redispatch":true}}}
            """;

        var envelope = StageEnvelope.Parse(Encoding.UTF8.GetBytes(body));

        Assert.True(envelope.IsFault);
        Assert.Equal("Fault<AdvanceCampaign>", envelope.TypeName);
        Assert.Equal(["state.json conflict"], envelope.FaultMessages);
        Assert.Equal(new AdvanceCampaign("c7", Redispatch: true), envelope.DecodeContract());
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), envelope.SentTime);
    }

    [Fact]
    public void Parse_InterfaceOrForeignType_NotDecoded()
    {
        var envelope = StageEnvelope.Parse("""{"messageType":["urn:message:Pipeline.Contracts:IShardMessage"],"message":{}}"""u8.ToArray());
        var foreign = StageEnvelope.Parse("""{"messageType":["urn:message:Other:Thing"],"message":{"a":1}}"""u8.ToArray());

        Assert.Null(envelope.ContractType);
        Assert.Null(envelope.DecodeContract());
        Assert.Equal("Thing", foreign.TypeName);
        Assert.Null(foreign.DecodeContract());
    }

    [Fact]
    public void Parse_BareJsonBody_UnknownTypeWithBodyAsMessage()
    {
        var envelope = StageEnvelope.Parse("""{"campaignId":"c1"}"""u8.ToArray());

        Assert.Equal("(unknown)", envelope.TypeName);
        Assert.Equal("c1", envelope.Message.GetProperty("campaignId").GetString());
    }

    [Fact]
    public void Parse_NotJson_ThrowsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => StageEnvelope.Parse("not json"u8.ToArray()));
    }

    [Fact]
    public void DecodeContract_WrongShape_ThrowsNamingType()
    {
        var envelope = StageEnvelope.Parse("""{"messageId":"m1","messageType":["urn:message:Pipeline.Contracts:ScoreRollouts"],"message":{"iteration":"two"}}"""u8.ToArray());

        var error = Assert.Throws<InvalidDataException>(() => envelope.DecodeContract());

        Assert.StartsWith("Message m1 is not a valid ScoreRollouts:", error.Message);
    }
}
