using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// The same response a gRPC server gives to grpc.health.v1.Health/Check, without a gRPC runtime:
// HEADERS (200, content-type application/grpc), one DATA frame holding the length-prefixed
// HealthCheckResponse { status: SERVING }, trailers grpc-status 0.
// Usage: AstralytiQ.Transport.BareKestrel [--port=PORT]; prints "LISTENING <port>" when ready.
var port = args.FirstOrDefault(a => a.StartsWith("--port=", StringComparison.Ordinal)) is { } p
    ? int.Parse(p["--port=".Length..], CultureInfo.InvariantCulture)
    : 0;

// Frame header (not compressed, length 2), then field 1 (status) varint 1 (SERVING).
var servingResponse = new byte[] { 0, 0, 0, 0, 2, 0x08, 0x01 };

var builder = WebApplication.CreateBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2);
    // The limits src/Server sets (Infrastructure/Configuration/KestrelSetup.cs), in both hosts alike.
    kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
    kestrel.Limits.Http2.InitialStreamWindowSize = 2 * 1024 * 1024;
    kestrel.AddServerHeader = false;
});

var app = builder.Build();
app.MapPost("/grpc.health.v1.Health/Check", async context =>
{
    // Read the request to its end, as any server must before answering a unary call.
    var reader = context.Request.BodyReader;
    while (true)
    {
        var read = await reader.ReadAsync(context.RequestAborted);
        reader.AdvanceTo(read.Buffer.End);
        if (read.IsCompleted)
        {
            break;
        }
    }
    context.Response.ContentType = "application/grpc";
    await context.Response.BodyWriter.WriteAsync(servingResponse, context.RequestAborted);
    context.Response.AppendTrailer("grpc-status", "0");
});
await app.StartAsync();

var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.WriteLine($"LISTENING {new Uri(address).Port}");
await app.WaitForShutdownAsync();
