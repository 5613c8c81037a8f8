using System.Globalization;
using AstralytiQ.Interop.Client;

// Runs one grpc interop test case through the AstralytiQ client. Exit code 0: passed.
string host = "127.0.0.1";
int? port = null;
string? testCase = null;
foreach (var arg in args)
{
    var (name, value) = arg.Split('=', 2) is [var n, var v] ? (n, v) : (arg, "");
    switch (name)
    {
        case "--server_host": host = value; break;
        case "--server_port": port = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--test_case": testCase = value; break;
        case "--use_tls" when value == "false": break;
        default:
            Console.Error.WriteLine($"Unknown argument '{arg}'.");
            return Usage();
    }
}
if (port is null || testCase is null)
{
    return Usage();
}
if (!InteropClient.Cases.ContainsKey(testCase))
{
    Console.Error.WriteLine($"Unknown test case '{testCase}'. Cases: {string.Join(", ", InteropClient.Cases.Keys)}");
    return 2;
}

try
{
    using var client = new InteropClient(new Uri($"http://{host}:{port}"));
    await InteropClient.Cases[testCase](client);
    Console.WriteLine($"PASS {testCase}");
    return 0;
}
catch (Exception ex)
{
    Console.WriteLine($"FAIL {testCase}: {ex.GetType().Name}: {ex.Message}");
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine("Usage: AstralytiQ.Interop.Client --server_port=PORT --test_case=NAME [--server_host=HOST]");
    return 2;
}
