namespace AstralytiQ.Rpc.Tests;

public static class TestTimeouts
{
    /// <summary>A safety net for awaits that should complete promptly; never the thing a test measures.</summary>
    public static readonly TimeSpan Safety = TimeSpan.FromSeconds(20);

    public static Task WithTimeout(this Task task) => task.WaitAsync(Safety);

    public static Task<T> WithTimeout<T>(this Task<T> task) => task.WaitAsync(Safety);
}
