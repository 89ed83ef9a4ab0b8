// An MSBuild task (compiled by RoslynCodeTaskFactory, not part of the backend assembly) that lets TorchSharp's native
// bridge load on a system whose libstdc++ is older than the GCC it was built with. libLibTorchSharp.so 0.107 (GCC 15)
// lists a need for GLIBCXX_3.4.32, which Debian 12's libstdc++ (GCC 12) lacks, so the loader refuses the whole library;
// the only symbol bound to that version is std::ios_base_library_init, a marker GCC 13+ emits that nothing calls.
// For each version the system library lacks, when every symbol that needs it is such a marker, this marks the need weak
// (VER_FLG_WEAK in its Elf64_Vernaux), which the loader then tolerates. It rewrites the copy in an output folder only,
// through a temporary file and a rename so a hard link into the NuGet cache is never written through; it is idempotent
// and does nothing when the system library already has every version needed.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenMissingLibstdcxxVersions : Task
{
    private const uint ShtDynsym = 11;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const ushort VerFlgWeak = 0x2;

    // Symbols that only mark a libstdc++ version and are never called: safe to leave unresolved.
    private static readonly HashSet<string> MarkerSymbols = new HashSet<string>(StringComparer.Ordinal)
    {
        "_ZSt21ios_base_library_initv",
    };

    private static readonly string[] LibraryDirectories =
    {
        "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu",
        "/usr/lib64", "/lib64", "/usr/lib", "/lib",
    };

    /// <summary>The libLibTorchSharp.so copies to fix (in an output or publish folder, never the package cache).</summary>
    [Required]
    public ITaskItem[] Libraries { get; set; } = new ITaskItem[0];

    /// <summary>The libstdc++.so.6 whose versions count (default: the first found in the system library folders).</summary>
    public string SystemLibrary { get; set; } = "";

    public override bool Execute()
    {
        if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux))
        {
            return true;
        }

        string system = SystemLibrary.Length > 0 ? SystemLibrary
            : LibraryDirectories.Select(d => Path.Combine(d, "libstdc++.so.6")).FirstOrDefault(File.Exists);
        if (system is null || !File.Exists(system))
        {
            Log.LogMessage(MessageImportance.High, "TorchSharp native patch: no system libstdc++.so.6 found; left the native library as shipped.");
            return true;
        }

        byte[] systemBytes = File.ReadAllBytes(system);
        foreach (ITaskItem item in Libraries)
        {
            string path = item.GetMetadata("FullPath");
            try
            {
                Patch(path, systemBytes, system);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
            {
                Log.LogError($"TorchSharp native patch: {path}: {e.Message}");
            }
        }

        return !Log.HasLoggedErrors;
    }

    private void Patch(string path, byte[] systemBytes, string systemPath)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("not a little-endian ELF64 file");
        }

        var sections = ReadSections(elf);
        var verneed = sections.FirstOrDefault(s => s.Type == ShtGnuVerneed);
        var versym = sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
        var dynsym = sections.FirstOrDefault(s => s.Type == ShtDynsym);
        if (verneed is null || versym is null || dynsym is null)
        {
            return;
        }

        Section strings = sections[(int)verneed.Link];
        Section symbolStrings = sections[(int)dynsym.Link];
        var weakened = new List<string>();
        var blocked = new List<string>();
        long need = (long)verneed.Offset;
        for (uint n = 0; n < verneed.Info; n++)
        {
            ushort auxCount = U16(elf, need + 2);
            string file = CString(elf, (long)strings.Offset + U32(elf, need + 4));
            long aux = need + U32(elf, need + 8);
            for (int a = 0; a < auxCount; a++)
            {
                ushort flags = U16(elf, aux + 4);
                ushort index = U16(elf, aux + 6);
                string version = CString(elf, (long)strings.Offset + U32(elf, aux + 8));
                bool provided = Contains(systemBytes, Encoding.ASCII.GetBytes(version + "\0"));
                if (file.StartsWith("libstdc++", StringComparison.Ordinal) && !provided && (flags & VerFlgWeak) == 0)
                {
                    var users = SymbolsOfVersion(elf, dynsym, versym, symbolStrings, index);
                    if (users.All(MarkerSymbols.Contains))
                    {
                        WriteU16(elf, aux + 4, (ushort)(flags | VerFlgWeak));
                        weakened.Add(version);
                    }
                    else
                    {
                        var real = users.Where(u => !MarkerSymbols.Contains(u)).ToList();
                        blocked.Add($"{version} ({string.Join(", ", real.Take(2))}{(real.Count > 2 ? ", ..." : "")})");
                    }
                }

                aux += U32(elf, aux + 12);
            }

            need += U32(elf, need + 12);
        }

        if (blocked.Count > 0)
        {
            // Not an error: the build may target another machine; the backend's load probe reports it on this one.
            Log.LogMessage(MessageImportance.High,
                $"TorchSharp native patch: {Path.GetFileName(path)} needs {string.Join("; ", blocked)} from libstdc++, which {systemPath} lacks; it will not load here (use a system with GCC 13+ libstdc++).");
        }

        if (weakened.Count == 0)
        {
            return;
        }

        // A new file renamed over the old one: the old inode (possibly a hard link into the package cache) is untouched.
        string temporary = path + ".patching";
        File.WriteAllBytes(temporary, elf);
        File.Replace(temporary, path, null);
        Log.LogMessage(MessageImportance.High,
            $"TorchSharp native patch: marked {string.Join(", ", weakened)} weak in {path} ({systemPath} lacks it; only a marker symbol uses it).");
    }

    private static List<string> SymbolsOfVersion(byte[] elf, Section dynsym, Section versym, Section symbolStrings, ushort index)
    {
        var names = new List<string>();
        long count = (long)(dynsym.Size / 24);
        for (long i = 0; i < count; i++)
        {
            ushort version = (ushort)(U16(elf, (long)versym.Offset + 2 * i) & 0x7fff);
            if (version == index)
            {
                names.Add(CString(elf, (long)symbolStrings.Offset + U32(elf, (long)dynsym.Offset + 24 * i)));
            }
        }

        return names;
    }

    private static List<Section> ReadSections(byte[] elf)
    {
        ulong tableOffset = U64(elf, 0x28);
        ushort entrySize = U16(elf, 0x3a);
        ushort count = U16(elf, 0x3c);
        if (entrySize != 64 || tableOffset + (ulong)count * 64 > (ulong)elf.Length)
        {
            throw new InvalidDataException("bad section header table");
        }

        var sections = new List<Section>(count);
        for (int i = 0; i < count; i++)
        {
            long at = (long)tableOffset + 64L * i;
            sections.Add(new Section(U32(elf, at + 4), U64(elf, at + 0x18), U64(elf, at + 0x20), U32(elf, at + 0x28), U32(elf, at + 0x2c)));
        }

        return sections;
    }

    private static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
            {
                j++;
            }

            if (j == needle.Length)
            {
                return true;
            }
        }

        return false;
    }

    private static string CString(byte[] elf, long at)
    {
        int end = Array.IndexOf(elf, (byte)0, (int)at);
        return Encoding.ASCII.GetString(elf, (int)at, end - (int)at);
    }

    private static ushort U16(byte[] b, long at) => BitConverter.ToUInt16(b, checked((int)at));

    private static uint U32(byte[] b, long at) => BitConverter.ToUInt32(b, checked((int)at));

    private static ulong U64(byte[] b, long at) => BitConverter.ToUInt64(b, checked((int)at));

    private static void WriteU16(byte[] b, long at, ushort value) => BitConverter.GetBytes(value).CopyTo(b, (int)at);

    private sealed class Section
    {
        public Section(uint type, ulong offset, ulong size, uint link, uint info)
        {
            Type = type;
            Offset = offset;
            Size = size;
            Link = link;
            Info = info;
        }

        public uint Type { get; }

        public ulong Offset { get; }

        public ulong Size { get; }

        public uint Link { get; }

        public uint Info { get; }
    }
}
