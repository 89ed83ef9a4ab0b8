// The token rule on its own: which listening addresses are loopback, and the refusal to listen beyond it without one.
using Pipeline.Dashboard.Hosting;

namespace Pipeline.Dashboard.Tests;

public sealed class DashboardAccessTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://127.8.0.1:0", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://[::]:5080", false)]
    [InlineData("http://*:5080", false)]
    [InlineData("http://+:5080", false)]
    [InlineData("http://192.168.1.20:5080", false)]
    [InlineData("http://dashboard.example:5080", false)]
    public void IsLoopback_Address_SaysWhetherOnlyThisMachineReachesIt(string address, bool loopback) =>
        Assert.Equal(loopback, DashboardAccess.IsLoopback(address));

    [Fact]
    public void RequireTokenBeyondLoopback_OpenAddressWithoutToken_ThrowsNamingTheSettings()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            DashboardAccess.RequireTokenBeyondLoopback(["http://127.0.0.1:5080", "http://0.0.0.0:5081"], token: null));

        Assert.Contains("http://0.0.0.0:5081", error.Message);
        Assert.DoesNotContain("127.0.0.1", error.Message);
        Assert.Contains("PIPELINE_DASHBOARD_TOKEN", error.Message);
        Assert.Contains("Dashboard:Token", error.Message);
    }

    [Fact]
    public void RequireTokenBeyondLoopback_LoopbackOrToken_Passes()
    {
        var loopback = Record.Exception(() => DashboardAccess.RequireTokenBeyondLoopback(["http://127.0.0.1:5080", "http://localhost:1"], token: null));
        var withToken = Record.Exception(() => DashboardAccess.RequireTokenBeyondLoopback(["http://0.0.0.0:5080"], token: "t0ken"));

        Assert.Null(loopback);
        Assert.Null(withToken);
    }
}
