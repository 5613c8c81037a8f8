using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Grpc.Core;

namespace AstralytiQ.Server.Infrastructure.Telemetry;

/// <summary>
/// Counters the server keeps about itself, rendered in the Prometheus text format (version 0.0.4) on
/// /metrics: gRPC calls by method and status, a latency histogram, calls in flight by kind, and the
/// database connection pool (read from Npgsql's own instruments), plus process basics.
/// </summary>
public sealed class ServerMetrics : IDisposable
{
    private static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly ConcurrentDictionary<(string Method, StatusCode Code), StrongBox<long>> _calls = new();
    private readonly ConcurrentDictionary<string, Histogram> _latency = new(StringComparer.Ordinal);
    private readonly long[] _inFlight = new long[4];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Tags), double> _npgsql = new();
    private readonly ConcurrentDictionary<string, (string Unit, string Description)> _npgsqlInfo = new(StringComparer.Ordinal);
    private readonly DateTime _startedAt = DateTime.UtcNow;

    public ServerMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Npgsql" && instrument.GetType().Name.StartsWith("Observable", StringComparison.Ordinal))
            {
                _npgsqlInfo[instrument.Name] = (instrument.Unit ?? "", instrument.Description ?? "");
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    public void CallStarted(MethodType type) => Interlocked.Increment(ref _inFlight[(int)type]);

    public void CallCompleted(string method, MethodType type, StatusCode code, TimeSpan elapsed)
    {
        Interlocked.Decrement(ref _inFlight[(int)type]);
        Interlocked.Increment(ref _calls.GetOrAdd((method, code), static _ => new StrongBox<long>()).Value);
        _latency.GetOrAdd(method, static _ => new Histogram(Buckets.Length)).Observe(elapsed.TotalSeconds);
    }

    public long InFlight(MethodType type) => Interlocked.Read(ref _inFlight[(int)type]);

    public string Render()
    {
        var text = new StringBuilder(4096);
        text.AppendLine("# HELP grpc_server_handled_total gRPC calls completed, by method and status code.");
        text.AppendLine("# TYPE grpc_server_handled_total counter");
        foreach (var ((method, code), count) in _calls.OrderBy(c => c.Key.Method, StringComparer.Ordinal).ThenBy(c => c.Key.Code))
        {
            text.Append("grpc_server_handled_total{grpc_method=\"").Append(Escape(method)).Append("\",grpc_code=\"").Append(CodeName(code)).Append("\"} ")
                .AppendLine(Interlocked.Read(ref count.Value).ToString(CultureInfo.InvariantCulture));
        }

        text.AppendLine("# HELP grpc_server_handling_seconds Time from request headers to status, by method.");
        text.AppendLine("# TYPE grpc_server_handling_seconds histogram");
        foreach (var (method, histogram) in _latency.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            histogram.Render(text, "grpc_server_handling_seconds", $"grpc_method=\"{Escape(method)}\"", Buckets);
        }

        text.AppendLine("# HELP grpc_server_in_flight Calls in progress, by kind; streaming kinds count open streams.");
        text.AppendLine("# TYPE grpc_server_in_flight gauge");
        foreach (var type in Enum.GetValues<MethodType>())
        {
            text.Append("grpc_server_in_flight{grpc_type=\"").Append(TypeName(type)).Append("\"} ")
                .AppendLine(InFlight(type).ToString(CultureInfo.InvariantCulture));
        }

        _listener.RecordObservableInstruments();
        foreach (var group in _npgsql.GroupBy(m => m.Key.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var name = PrometheusName(group.Key);
            var info = _npgsqlInfo.GetValueOrDefault(group.Key);
            text.Append("# HELP ").Append(name).Append(' ').AppendLine(string.IsNullOrEmpty(info.Description) ? "Npgsql " + group.Key : info.Description.ReplaceLineEndings(" "));
            text.Append("# TYPE ").Append(name).AppendLine(" gauge");
            foreach (var ((_, tags), value) in group.OrderBy(g => g.Key.Tags, StringComparer.Ordinal))
            {
                text.Append(name);
                if (tags.Length > 0)
                {
                    text.Append('{').Append(tags).Append('}');
                }
                text.Append(' ').AppendLine(value.ToString("R", CultureInfo.InvariantCulture));
            }
        }

        var process = Process.GetCurrentProcess();
        text.AppendLine("# HELP process_resident_memory_bytes Resident memory of the server process.");
        text.AppendLine("# TYPE process_resident_memory_bytes gauge");
        text.Append("process_resident_memory_bytes ").AppendLine(process.WorkingSet64.ToString(CultureInfo.InvariantCulture));
        text.AppendLine("# HELP dotnet_gc_heap_bytes Managed heap size.");
        text.AppendLine("# TYPE dotnet_gc_heap_bytes gauge");
        text.Append("dotnet_gc_heap_bytes ").AppendLine(GC.GetTotalMemory(false).ToString(CultureInfo.InvariantCulture));
        text.AppendLine("# HELP process_uptime_seconds Seconds since the server started.");
        text.AppendLine("# TYPE process_uptime_seconds gauge");
        text.Append("process_uptime_seconds ").AppendLine((DateTime.UtcNow - _startedAt).TotalSeconds.ToString("F0", CultureInfo.InvariantCulture));
        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new StringBuilder();
        foreach (var tag in tags)
        {
            if (labels.Length > 0)
            {
                labels.Append(',');
            }
            labels.Append(PrometheusName(tag.Key)).Append("=\"").Append(Escape(tag.Value?.ToString() ?? "")).Append('"');
        }
        _npgsql[(instrument.Name, labels.ToString())] = value;
    }

    private static string PrometheusName(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }
        return builder.ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string CodeName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.Cancelled => "CANCELLED",
        StatusCode.Unknown => "UNKNOWN",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.Aborted => "ABORTED",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.Unimplemented => "UNIMPLEMENTED",
        StatusCode.Internal => "INTERNAL",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.DataLoss => "DATA_LOSS",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        _ => ((int)code).ToString(CultureInfo.InvariantCulture),
    };

    private static string TypeName(MethodType type) => type switch
    {
        MethodType.Unary => "unary",
        MethodType.ClientStreaming => "client_stream",
        MethodType.ServerStreaming => "server_stream",
        _ => "bidi_stream",
    };

    /// <summary>A lock-free cumulative histogram.</summary>
    private sealed class Histogram(int bucketCount)
    {
        private readonly long[] _counts = new long[bucketCount + 1];
        private long _sumMicros;

        public void Observe(double seconds)
        {
            var index = 0;
            while (index < Buckets.Length && seconds > Buckets[index])
            {
                index++;
            }
            Interlocked.Increment(ref _counts[index]);
            Interlocked.Add(ref _sumMicros, (long)(seconds * 1_000_000));
        }

        public void Render(StringBuilder text, string name, string labels, double[] bounds)
        {
            long cumulative = 0;
            for (var i = 0; i < bounds.Length; i++)
            {
                cumulative += Interlocked.Read(ref _counts[i]);
                text.Append(name).Append("_bucket{").Append(labels).Append(",le=\"").Append(bounds[i].ToString("R", CultureInfo.InvariantCulture)).Append("\"} ")
                    .AppendLine(cumulative.ToString(CultureInfo.InvariantCulture));
            }
            cumulative += Interlocked.Read(ref _counts[^1]);
            text.Append(name).Append("_bucket{").Append(labels).Append(",le=\"+Inf\"} ").AppendLine(cumulative.ToString(CultureInfo.InvariantCulture));
            text.Append(name).Append("_sum{").Append(labels).Append("} ").AppendLine((Interlocked.Read(ref _sumMicros) / 1_000_000d).ToString("R", CultureInfo.InvariantCulture));
            text.Append(name).Append("_count{").Append(labels).Append("} ").AppendLine(cumulative.ToString(CultureInfo.InvariantCulture));
        }
    }
}
