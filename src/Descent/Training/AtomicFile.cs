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
    public static void Write(string path, Action<Stream> writer)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(writer);
        string full = Path.GetFullPath(path);
        string temp = full + TemporaryInfix + RandomNumberGenerator.GetHexString(12, lowercase: true);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                writer(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

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
