namespace MySign.Custody;

/// <summary>
/// One process at a time through the calls that read or rewrite a file-backed token's own state, when
/// <see cref="TokenSettings.LockFile"/> is set. SoftHSM2 (the token of development and tests) keeps a token in files that
/// every C_Login rewrites and every C_Initialize, C_GetTokenInfo and object search reads, and its own file locks do not hold
/// between processes: six processes logging in at once see one start in three fail ("no token labelled", CKR_GENERAL_ERROR,
/// CKR_USER_PIN_NOT_INITIALIZED, CKR_PIN_INCORRECT for the right PIN). An exclusive flock on one file, taken by every
/// process that opens the token (ours here, and OpenSC's `flock FILE pkcs11-tool …` in the tests), puts those calls in
/// line. Signing, the hot path, only reads key files nobody rewrites and runs unlocked. A network HSM needs none of this:
/// Production leaves the setting unset.
/// </summary>
internal static class TokenLock
{
    [ThreadStatic] private static int _depth;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static T Hold<T>(TokenSettings settings, Func<T> work)
    {
        if (string.IsNullOrEmpty(settings.LockFile) || _depth > 0) return work();
        using var held = Acquire(settings);
        _depth++;
        try
        {
            return work();
        }
        finally
        {
            _depth--;
        }
    }

    public static void Hold(TokenSettings settings, Action work) => Hold(settings, () =>
    {
        work();
        return 0;
    });

    private static FileStream Acquire(TokenSettings settings)
    {
        var path = settings.LockFile!;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None is flock(LOCK_EX | LOCK_NB) on Linux: the same lock as util-linux's `flock`.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < Patience && File.Exists(path))
            {
                Thread.Sleep(Random.Shared.Next(2, 15));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new TokenUnavailableException($"{settings.Setting}:LockFile {path} could not be held within {Patience.TotalSeconds:0} s: {e.Message}", e);
            }
        }
    }
}
