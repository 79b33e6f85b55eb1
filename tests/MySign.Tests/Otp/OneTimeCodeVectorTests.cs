using System.Security.Cryptography;
using System.Text;
using MySign.Otp.Codes;

namespace MySign.Tests.Otp;

public sealed class OneTimeCodeVectorTests
{
    private static readonly byte[] Sha1Seed = Encoding.ASCII.GetBytes("12345678901234567890");
    // RFC 6238 erratum: the SHA-256 and SHA-512 vectors use the seed repeated to 32 and 64 bytes.
    private static readonly byte[] Sha256Seed = Encoding.ASCII.GetBytes("12345678901234567890123456789012");
    private static readonly byte[] Sha512Seed = Encoding.ASCII.GetBytes("1234567890123456789012345678901234567890123456789012345678901234");

    [Theory]
    [InlineData(0, "755224")] [InlineData(1, "287082")] [InlineData(2, "359152")] [InlineData(3, "969429")] [InlineData(4, "338314")]
    [InlineData(5, "254676")] [InlineData(6, "287922")] [InlineData(7, "162583")] [InlineData(8, "399871")] [InlineData(9, "520489")]
    public void hotp_matches_rfc_4226_appendix_d(long counter, string expected) =>
        OneTimeCodes.Hotp(Sha1Seed, counter).ShouldBe(expected);

    [Theory]
    [InlineData(59L, "94287082", "46119246", "90693936")]
    [InlineData(1111111109L, "07081804", "68084774", "25091201")]
    [InlineData(1111111111L, "14050471", "67062674", "99943326")]
    [InlineData(1234567890L, "89005924", "91819424", "93441116")]
    [InlineData(2000000000L, "69279037", "90698825", "38618901")]
    [InlineData(20000000000L, "65353130", "77737706", "47863826")]
    public void totp_matches_rfc_6238_appendix_b(long unixTime, string sha1, string sha256, string sha512)
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(unixTime);
        OneTimeCodes.Totp(Sha1Seed, at, 8).ShouldBe(sha1);
        OneTimeCodes.Totp(Sha256Seed, at, 8, HashAlgorithmName.SHA256).ShouldBe(sha256);
        OneTimeCodes.Totp(Sha512Seed, at, 8, HashAlgorithmName.SHA512).ShouldBe(sha512);
    }

    [Fact]
    public void our_totp_agrees_with_an_independent_implementation_on_random_secrets()
    {
        for (var i = 0; i < 50; i++)
        {
            var secret = RandomNumberGenerator.GetBytes(20);
            var at = DateTimeOffset.FromUnixTimeSeconds(Random.Shared.NextInt64(0, 4_000_000_000));
            OneTimeCodes.Totp(secret, at).ShouldBe(new OtpNet.Totp(secret).ComputeTotp(at.UtcDateTime));
        }
    }

    [Fact]
    public void a_totp_code_verifies_within_one_step_of_skew_and_never_twice()
    {
        var secret = RandomNumberGenerator.GetBytes(20);
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_015);
        var step = OneTimeCodes.TimeStep(now);
        OneTimeCodes.MatchTotp(secret, OneTimeCodes.Totp(secret, now.AddSeconds(-30)), now, 0).ShouldBe(step - 1);
        OneTimeCodes.MatchTotp(secret, OneTimeCodes.Totp(secret, now.AddSeconds(30)), now, 0).ShouldBe(step + 1);
        OneTimeCodes.MatchTotp(secret, OneTimeCodes.Totp(secret, now.AddSeconds(-60)), now, 0).ShouldBeNull();
        OneTimeCodes.MatchTotp(secret, OneTimeCodes.Totp(secret, now.AddSeconds(60)), now, 0).ShouldBeNull();
        // Once the current step was used, its code (and any earlier one) is refused: no replay.
        OneTimeCodes.MatchTotp(secret, OneTimeCodes.Totp(secret, now), now, step).ShouldBeNull();
        OneTimeCodes.MatchTotp(secret, OneTimeCodes.Totp(secret, now.AddSeconds(-30)), now, step).ShouldBeNull();
    }

    [Theory]
    [InlineData("12345678", "12345678")] [InlineData(" 1234 5678 ", "12345678")] [InlineData("123-456", "123456")]
    [InlineData("1234567", null)] [InlineData("12345a78", null)] [InlineData("", null)] [InlineData("123456789", null)]
    public void the_code_field_takes_six_or_eight_digits_typed_or_pasted(string typed, string? expected) =>
        OneTimeCodes.Normalise(typed).ShouldBe(expected);

    [Fact]
    public void base32_round_trips() =>
        Base32.Decode(Base32.Encode(Sha1Seed)).ShouldBe(Sha1Seed);
}
