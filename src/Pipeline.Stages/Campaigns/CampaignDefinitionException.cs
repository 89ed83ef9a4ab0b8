// A campaign file that cannot be used: the message is one line naming the offending key, for the CLI to print as is.
namespace Pipeline.Stages.Campaigns;

/// <summary>A campaign file is malformed or out of range; <see cref="Exception.Message"/> is one line naming the key.</summary>
public sealed class CampaignDefinitionException : FormatException
{
    /// <summary>Creates the exception for <paramref name="key"/> (dotted path such as <c>update.steps</c>; empty for the file).</summary>
    public CampaignDefinitionException(string key, string message, Exception? innerException = null)
        : base(message, innerException) => Key = key;

    /// <summary>Dotted path of the key at fault, or empty when the file as a whole is.</summary>
    public string Key { get; }
}
