using System.Globalization;

namespace AstralytiQ.LoadTests;

/// <summary>The benchmarks' few command-line options ("--rows 200000").</summary>
public static class BenchArguments
{
    /// <summary>The integer after <paramref name="name"/> on the command line, or <paramref name="fallback"/>.</summary>
    public static int Int(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
