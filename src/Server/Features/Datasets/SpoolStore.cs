using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Features.Datasets;

/// <summary>Upload files on disk between the upload call and the job that loads them.</summary>
public sealed class SpoolStore(IOptions<DatasetOptions> options)
{
    public const string Extension = ".upload";

    public string Directory
    {
        get
        {
            var directory = options.Value.SpoolDirectory;
            System.IO.Directory.CreateDirectory(directory);
            return directory;
        }
    }

    /// <summary>The spool file of a job (job ids are the only part of the name: nothing the user chose).</summary>
    public string PathOf(Guid jobId) => Path.Combine(Directory, jobId.ToString("N") + Extension);

    public FileStream Create(Guid jobId)
    {
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 20, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            // Uploads are tenant data: readable by the server's user only.
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        return new FileStream(PathOf(jobId), fileOptions);
    }

    public void Delete(Guid jobId)
    {
        try
        {
            File.Delete(PathOf(jobId));
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Spool files present, with their job id and age.</summary>
    public IEnumerable<(Guid JobId, string Path, DateTime LastWriteUtc)> List()
    {
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension))
        {
            if (Guid.TryParseExact(System.IO.Path.GetFileNameWithoutExtension(path), "N", out var id))
            {
                yield return (id, path, File.GetLastWriteTimeUtc(path));
            }
        }
    }
}
