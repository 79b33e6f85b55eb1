using System.Security.Cryptography;

namespace MySign.Otp.Codes;

/// <summary>HOTP (RFC 4226) and TOTP (RFC 6238). Pure functions: time and secrets come in as arguments.</summary>
public static class OneTimeCodes
{
    public const int TimeStepSeconds = 30;

    public static string Hotp(byte[] secret, long counter, int digits = 6, HashAlgorithmName? algorithm = null)
    {
        Span<byte> message = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(message, counter);
        var hash = (algorithm ?? HashAlgorithmName.SHA1).Name switch
        {
            "SHA256" => HMACSHA256.HashData(secret, message),
            "SHA512" => HMACSHA512.HashData(secret, message),
            _ => HMACSHA1.HashData(secret, message),
        };
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        var modulo = (int)Math.Pow(10, digits);
        return (binary % modulo).ToString().PadLeft(digits, '0');
    }

    public static long TimeStep(DateTimeOffset at) => at.ToUnixTimeSeconds() / TimeStepSeconds;

    public static string Totp(byte[] secret, DateTimeOffset at, int digits = 6, HashAlgorithmName? algorithm = null) =>
        Hotp(secret, TimeStep(at), digits, algorithm);

    /// <summary>
    /// The time step a TOTP code matches within ±1 step of clock skew and after <paramref name="lastUsedStep"/>
    /// (a step, once used, never verifies again), or null.
    /// </summary>
    public static long? MatchTotp(byte[] secret, string code, DateTimeOffset now, long lastUsedStep)
    {
        var current = TimeStep(now);
        for (var step = current - 1; step <= current + 1; step++)
        {
            if (step <= lastUsedStep) continue;
            if (FixedTimeEquals(Hotp(secret, step), code)) return step;
        }
        return null;
    }

    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(a), System.Text.Encoding.ASCII.GetBytes(b));

    /// <summary>A uniformly random numeric code.</summary>
    public static string RandomDigits(int digits)
    {
        var chars = new char[digits];
        for (var i = 0; i < digits; i++) chars[i] = (char)('0' + RandomNumberGenerator.GetInt32(10));
        return new string(chars);
    }

    /// <summary>The code as typed or pasted: spaces and dashes dropped; null unless 6 or 8 digits remain.</summary>
    public static string? Normalise(string? typed)
    {
        if (typed is null) return null;
        var digits = new string(typed.Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray());
        return digits.Length is 6 or 8 && digits.All(char.IsAsciiDigit) ? digits : null;
    }
}

/// <summary>RFC 4648 base32, as authenticator apps expect secrets.</summary>
public static class Base32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Encode(byte[] data)
    {
        var output = new System.Text.StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b; bits += 8;
            while (bits >= 5) { output.Append(Alphabet[(buffer >> (bits - 5)) & 31]); bits -= 5; }
        }
        if (bits > 0) output.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        return output.ToString();
    }

    public static byte[] Decode(string text)
    {
        var clean = text.Trim().TrimEnd('=').Replace(" ", "").ToUpperInvariant();
        var output = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in clean)
        {
            var value = Alphabet.IndexOf(c);
            if (value < 0) throw new FormatException("Not base32.");
            buffer = (buffer << 5) | value; bits += 5;
            if (bits >= 8) { output.Add((byte)((buffer >> (bits - 8)) & 0xff)); bits -= 8; }
        }
        return output.ToArray();
    }
}
