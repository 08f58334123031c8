using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Descent.Training;

/// <summary>
/// Replaces a file all at once: the content goes to a temporary file in the same directory
/// (<c>path.tmp-&lt;random&gt;</c>), is flushed to the disk, and the temporary file is then renamed
/// over the target path. On POSIX file systems a rename within one directory is atomic, so a
/// reader — or a run resumed after a crash — sees either the previous file or the new one, never a
/// half-written mix. The content reaches the disk before the rename (<c>fsync</c> through
/// <see cref="FileStream.Flush(bool)"/>); the rename itself becomes durable when the file system
/// commits its directory, so after a power loss one may find the previous version, but never a torn one.
/// </summary>
public static class AtomicFile
{
    /// <summary>The infix between the target's file name and the random suffix of a temporary file.</summary>
    public const string TemporaryInfix = ".tmp-";

    /// <summary>
    /// Writes <paramref name="path"/> atomically: <paramref name="writer"/> fills a temporary file,
    /// which is flushed to disk and renamed over <paramref name="path"/>. If the writer (or the flush,
    /// or the rename) throws, the temporary file is deleted, the previous file at
    /// <paramref name="path"/> is left untouched, and the exception propagates.
    /// </summary>
    /// <param name="path">The file to create or replace; its directory must exist.</param>
    /// <param name="writer">Writes the whole content to the stream it is given (do not dispose it).</param>
    public static void Write(string path, Action<Stream> writer) => Write(path, writer, previousPath: null);

    /// <summary>
    /// Like <see cref="Write(string, Action{Stream})"/>; with <paramref name="previousPath"/>, the file that
    /// <paramref name="path"/> held until now becomes <paramref name="previousPath"/>, so the last two
    /// versions are kept. The order keeps a complete file at <paramref name="path"/> at every instant:
    /// the new content is written and flushed to a temporary file; the current file gets a second name (a
    /// hard link; a copy where the file system has none), which is renamed over
    /// <paramref name="previousPath"/>; only then is the temporary file renamed over <paramref name="path"/>.
    /// A process killed at any point leaves <paramref name="path"/> old or new, never missing or torn, and
    /// <paramref name="previousPath"/> one or two versions behind it (or the same version, when the kill falls
    /// between the two renames).
    /// </summary>
    /// <param name="path">The file to create or replace; its directory must exist.</param>
    /// <param name="writer">Writes the whole content to the stream it is given (do not dispose it).</param>
    /// <param name="previousPath">Where the replaced version goes (in the same directory), or null.</param>
    public static void Write(string path, Action<Stream> writer, string? previousPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(writer);
        string full = Path.GetFullPath(path);
        string temp = TemporaryPath(full);
        string? previousTemp = null;
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                writer(stream);
                stream.Flush(flushToDisk: true);
            }
            if (previousPath is not null && File.Exists(full))
            {
                string previous = Path.GetFullPath(previousPath);
                previousTemp = TemporaryPath(previous);
                SecondName(full, previousTemp);
                File.Move(previousTemp, previous, overwrite: true);
                previousTemp = null;
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            if (previousTemp is not null) TryDelete(previousTemp);
            throw;
        }
    }

    private static string TemporaryPath(string full) => full + TemporaryInfix + RandomNumberGenerator.GetHexString(12, lowercase: true);

    /// <summary>Gives <paramref name="existing"/> the further name <paramref name="newName"/>: a hard link
    /// (no data copied) where the system and file system allow it, else a flushed copy.</summary>
    private static void SecondName(string existing, string newName)
    {
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                if (link(existing, newName) == 0) return;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // no libc link(): copy below
            }
        }
        using var source = new FileStream(existing, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var target = new FileStream(newName, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        source.CopyTo(target);
        target.Flush(flushToDisk: true);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string oldPath, string newPath);

    /// <summary>
    /// The temporary files left next to <paramref name="path"/> by writes that never finished (a
    /// process killed between creating the temporary file and renaming it).
    /// </summary>
    public static string[] StaleTemporaries(string path)
    {
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (dir is null || !Directory.Exists(dir)) return [];
        return Directory.GetFiles(dir, Path.GetFileName(full) + TemporaryInfix + "*");
    }

    /// <summary>
    /// Deletes the temporary files of unfinished writes to <paramref name="path"/> (see
    /// <see cref="StaleTemporaries"/>) and returns how many were removed. Call it only when no other
    /// process is writing <paramref name="path"/>, e.g. when a run resumes.
    /// </summary>
    public static int DeleteStaleTemporaries(string path)
    {
        int n = 0;
        foreach (var f in StaleTemporaries(path))
            if (TryDelete(f)) n++;
        return n;
    }

    private static bool TryDelete(string file)
    {
        try
        {
            if (!File.Exists(file)) return false;
            File.Delete(file);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
