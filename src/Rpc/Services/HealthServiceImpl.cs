using System.Threading.Channels;
using Grpc.Core;
using Grpc.Health.V1;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace Grpc.HealthCheck;

/// <summary>
/// The standard <c>grpc.health.v1.Health</c> service. The application sets each service's status;
/// the empty name means the server as a whole. Check answers NOT_FOUND for a service never set;
/// Watch streams the current status and then every change.
/// </summary>
public sealed class HealthServiceImpl : Grpc.Health.V1.Health.HealthBase
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal) { [""] = ServingStatus.Serving };
    private readonly Dictionary<string, List<ChannelWriter<ServingStatus>>> _watchers = new(StringComparer.Ordinal);

    /// <summary>Sets a service's status and notifies watchers when it changed.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_sync)
        {
            if (_statuses.TryGetValue(service, out var current) && current == status)
            {
                return;
            }
            _statuses[service] = status;
            Notify(service, status);
        }
    }

    /// <summary>Forgets a service; watchers see SERVICE_UNKNOWN.</summary>
    public void ClearStatus(string service)
    {
        lock (_sync)
        {
            if (_statuses.Remove(service))
            {
                Notify(service, ServingStatus.ServiceUnknown);
            }
        }
    }

    /// <summary>The current status of a service, or null when unknown.</summary>
    public ServingStatus? GetStatus(string service)
    {
        lock (_sync)
        {
            return _statuses.TryGetValue(service, out var status) ? status : null;
        }
    }

    /// <inheritdoc />
    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        var status = GetStatus(request.Service)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Service '{request.Service}' is unknown."));
        return Task.FromResult(new HealthCheckResponse { Status = status });
    }

    /// <inheritdoc />
    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        var updates = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(8)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        ServingStatus current;
        lock (_sync)
        {
            current = _statuses.TryGetValue(request.Service, out var known) ? known : ServingStatus.ServiceUnknown;
            if (!_watchers.TryGetValue(request.Service, out var list))
            {
                _watchers[request.Service] = list = [];
            }
            list.Add(updates.Writer);
        }
        try
        {
            await responseStream.WriteAsync(new HealthCheckResponse { Status = current }).ConfigureAwait(false);
            var last = current;
            await foreach (var status in updates.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                if (status == last)
                {
                    continue;
                }
                last = status;
                await responseStream.WriteAsync(new HealthCheckResponse { Status = status }).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client went away or the deadline passed: a normal end of a watch.
        }
        finally
        {
            lock (_sync)
            {
                if (_watchers.TryGetValue(request.Service, out var list))
                {
                    list.Remove(updates.Writer);
                    if (list.Count == 0)
                    {
                        _watchers.Remove(request.Service);
                    }
                }
            }
        }
    }

    private void Notify(string service, ServingStatus status)
    {
        if (_watchers.TryGetValue(service, out var list))
        {
            foreach (var writer in list)
            {
                writer.TryWrite(status);
            }
        }
    }
}
