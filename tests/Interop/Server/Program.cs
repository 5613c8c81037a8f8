using System.Globalization;
using System.Net;
using AstralytiQ.Interop.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// grpc.testing.TestService on the AstralytiQ runtime, h2c on loopback (or all interfaces with
// --host=0.0.0.0). Prints "LISTENING <port>" when ready; stops on SIGTERM or Ctrl-C.
var port = 0;
var host = IPAddress.Loopback;
foreach (var arg in args)
{
    if (arg.StartsWith("--port=", StringComparison.Ordinal))
    {
        port = int.Parse(arg["--port=".Length..], CultureInfo.InvariantCulture);
    }
    else if (arg.StartsWith("--host=", StringComparison.Ordinal))
    {
        host = IPAddress.Parse(arg["--host=".Length..]);
    }
    else if (arg.StartsWith("--use_tls=", StringComparison.Ordinal) && arg != "--use_tls=false")
    {
        Console.Error.WriteLine("TLS is not supported by this interop server.");
        return 2;
    }
    else
    {
        Console.Error.WriteLine($"Unknown argument '{arg}'. Usage: AstralytiQ.Interop.Server [--port=PORT] [--host=ADDRESS]");
        return 2;
    }
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(host, port, listen => listen.Protocols = HttpProtocols.Http2));
builder.Services.AddGrpc();
var app = builder.Build();
app.MapGrpcService<InteropTestService>();
await app.StartAsync();

var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.WriteLine($"LISTENING {new Uri(address).Port}");
await app.WaitForShutdownAsync();
return 0;
