using System.Security.Cryptography;
using System.Text;
using ClusterWatch.Core.Sources.Transport;

namespace ClusterWatch.Tests.Sources.Transport;

public sealed class KnownHostsTests
{
    private static readonly byte[] OldKey = Encoding.ASCII.GetBytes("old key blob");
    private static readonly byte[] NewKey = Encoding.ASCII.GetBytes("new key blob");

    private static string Line(string hosts, byte[] key) => $"{hosts} ssh-ed25519 {Convert.ToBase64String(key)}\n";

    [Fact]
    public void Check_SameKeyNonStandardPort_Trusted()
    {
        var text = "# comment\n" + Line("[10.0.0.7]:2222", OldKey);
        Assert.Equal(HostKeyVerdict.Trusted, KnownHosts.Check(text, "10.0.0.7", 2222, "ssh-ed25519", OldKey).Verdict);
    }

    [Fact]
    public void Check_PortMatters_OtherPortIsUnknown()
    {
        var text = Line("[10.0.0.7]:2222", OldKey);
        Assert.Equal(HostKeyVerdict.Unknown, KnownHosts.Check(text, "10.0.0.7", 22, "ssh-ed25519", OldKey).Verdict);
    }

    [Fact]
    public void Check_ChangedKey_C24_ChangedWithTheStoredFingerprint()
    {
        var text = Line("node07,10.0.0.7", OldKey);
        var check = KnownHosts.Check(text, "node07", 22, "ssh-ed25519", NewKey);
        Assert.Equal(HostKeyVerdict.Changed, check.Verdict);
        // Fingerprint computed here by hand: SHA256 of the blob, base64 without padding.
        var expected = "SHA256:" + Convert.ToBase64String(SHA256.HashData(OldKey)).TrimEnd('=');
        Assert.Equal([$"ssh-ed25519 {expected}"], check.StoredFingerprints);
    }

    [Fact]
    public void Check_HashedEntry_Matches()
    {
        var salt = RandomNumberGenerator.GetBytes(20);
        var hash = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes("[node07]:2301"));
        var text = Line($"|1|{Convert.ToBase64String(salt)}|{Convert.ToBase64String(hash)}", OldKey);
        Assert.Equal(HostKeyVerdict.Trusted, KnownHosts.Check(text, "node07", 2301, "ssh-ed25519", OldKey).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, KnownHosts.Check(text, "node08", 2301, "ssh-ed25519", OldKey).Verdict);
    }

    [Fact]
    public void Check_WildcardAndNegation()
    {
        var text = Line("node*,!node13", OldKey);
        Assert.Equal(HostKeyVerdict.Trusted, KnownHosts.Check(text, "node12", 22, "ssh-ed25519", OldKey).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, KnownHosts.Check(text, "node13", 22, "ssh-ed25519", OldKey).Verdict);
    }

    [Fact]
    public void Check_RevokedKey_Refused()
    {
        var text = Line("node07", OldKey) + "@revoked " + Line("*", OldKey);
        Assert.Equal(HostKeyVerdict.Changed, KnownHosts.Check(text, "node07", 22, "ssh-ed25519", OldKey).Verdict);
    }

    [Fact]
    public void Replace_DropsOnlyThatHostsEntries_AppendsTheNewKey()
    {
        var text = Line("node06", OldKey) + Line("node07", OldKey) + "# keep me\n";
        var result = KnownHosts.Replace(text, "node07", 22, "ssh-ed25519", NewKey);
        Assert.Equal(Line("node06", OldKey) + "# keep me\n" + Line("node07", NewKey), result);
        Assert.Equal(HostKeyVerdict.Trusted, KnownHosts.Check(result, "node07", 22, "ssh-ed25519", NewKey).Verdict);
    }
}
