using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace MySign.Custody;

/// <summary>
/// A PKCS#11 module is initialised once per process (C_Initialize) and stays loaded for the process's life: several hosts in
/// one process (the tests) and several tokens of one module share it, and nothing may finalise it under another's feet.
/// </summary>
internal static class Pkcs11Libraries
{
    private static readonly ConcurrentDictionary<string, Lazy<IPkcs11Library>> Loaded = new();
    internal static readonly Pkcs11InteropFactories Factories = new();

    static Pkcs11Libraries()
    {
        // Pkcs11Interop 5.3 asks for "libdl", which glibc (Debian 12 on) ships only as libdl.so.2.
        NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, static (name, assembly, path) =>
            name == "libdl" && OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libdl.so.2", out var handle) ? handle : IntPtr.Zero);
    }

    public static IPkcs11Library For(TokenSettings settings) =>
        Loaded.GetOrAdd(settings.Library, path => new Lazy<IPkcs11Library>(() => TokenLock.Hold(settings, () => Load(settings, path)))).Value;

    private static IPkcs11Library Load(TokenSettings settings, string path)
    {
        if (!File.Exists(path)) throw new TokenUnavailableException($"{settings.Setting}:Library names {path}, which does not exist: install the HSM vendor's PKCS#11 module there or set {settings.Setting}__Library.");
        try
        {
            return Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, path, AppType.MultiThreaded);
        }
        catch (Exception e) when (e is Pkcs11Exception or UnmanagedException or DllNotFoundException or EntryPointNotFoundException)
        {
            Loaded.TryRemove(path, out _);
            throw new TokenUnavailableException($"{settings.Setting}:Library {path} could not be loaded as a PKCS#11 module: {e.Message}", e);
        }
    }
}
