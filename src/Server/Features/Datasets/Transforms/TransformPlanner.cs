using System.Data;
using System.Globalization;
using AstralytiQ.Api.V1;
using AstralytiQ.Server.Features.Datasets.Typing;
using AstralytiQ.Server.Infrastructure.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace AstralytiQ.Server.Features.Datasets.Transforms;

/// <summary>A step cannot be applied; <see cref="Field"/> names it (e.g. "steps[2].filter.expression").</summary>
public sealed class TransformException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>The SELECT producing the new version from the source table, and the result's columns.</summary>
public sealed record TransformPlan(string Sql, IReadOnlyList<SqlParameter> Parameters, IReadOnlyList<PublishColumn> Columns);

/// <summary>
/// Turns transformation steps into one SELECT over the source version (each step wraps the previous
/// one as a subquery). After each step PostgreSQL describes the query (parse and plan only, no
/// rows), which both checks it and tells the result types; user values are only ever parameters.
/// </summary>
public static class TransformPlanner
{
    public const int MaxSteps = 50;

    public static async Task<TransformPlan> PlanAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string qualifiedSource,
        IReadOnlyList<PublishColumn> sourceColumns, IReadOnlyList<TransformStep> steps, CancellationToken cancellationToken)
    {
        if (steps.Count == 0)
        {
            throw new TransformException("steps", "at least one step is required");
        }
        if (steps.Count > MaxSteps)
        {
            throw new TransformException("steps", $"at most {MaxSteps} steps are allowed");
        }
        var parameters = new List<SqlParameter>();
        var columns = sourceColumns.ToList();
        var sql = $"SELECT {string.Join(", ", columns.Select(c => TenantNames.Quote(c.Name)))} FROM {qualifiedSource}";
        for (var index = 0; index < steps.Count; index++)
        {
            var field = $"steps[{index}]";
            var step = steps[index];
            var from = $"({sql}) s{index}";
            string Quoted(string name) => TenantNames.Quote(name);
            string All() => string.Join(", ", columns.Select(c => Quoted(c.Name)));
            PublishColumn Find(string reference, string where)
            {
                return columns.FirstOrDefault(c => string.Equals(c.Name, reference, StringComparison.OrdinalIgnoreCase))
                    ?? columns.FirstOrDefault(c => string.Equals(c.Label, reference, StringComparison.Ordinal))
                    ?? throw new TransformException(where, $"unknown column '{reference}' (columns: {string.Join(", ", columns.Select(c => c.Name).Take(30))})");
            }
            switch (step.StepCase)
            {
                case TransformStep.StepOneofCase.Select:
                    if (step.Select.Columns.Count == 0)
                    {
                        throw new TransformException(field + ".select.columns", "name at least one column");
                    }
                    var selected = step.Select.Columns.Select((c, i) => Find(c, $"{field}.select.columns[{i}]")).ToList();
                    if (selected.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count() != selected.Count)
                    {
                        throw new TransformException(field + ".select.columns", "names a column twice");
                    }
                    columns = selected;
                    sql = $"SELECT {All()} FROM {from}";
                    break;
                case TransformStep.StepOneofCase.Rename:
                    var renamed = Find(step.Rename.Column, field + ".rename.column");
                    var newName = NewName(step.Rename.NewName, field + ".rename.new_name");
                    if (newName != renamed.Name && columns.Any(c => c.Name == newName))
                    {
                        throw new TransformException(field + ".rename.new_name", $"a column named '{newName}' already exists");
                    }
                    sql = $"SELECT {string.Join(", ", columns.Select(c => c == renamed ? $"{Quoted(c.Name)} AS {Quoted(newName)}" : Quoted(c.Name)))} FROM {from}";
                    columns = columns.Select(c => c == renamed ? c with { Name = newName, Label = string.IsNullOrWhiteSpace(step.Rename.Label) ? step.Rename.NewName.Trim() : step.Rename.Label.Trim() } : c).ToList();
                    break;
                case TransformStep.StepOneofCase.Filter:
                    var condition = Compile(step.Filter.Expression, columns, parameters, field + ".filter.expression");
                    sql = $"SELECT {All()} FROM {from} WHERE {condition}";
                    break;
                case TransformStep.StepOneofCase.Cast:
                    var cast = Find(step.Cast.Column, field + ".cast.column");
                    var target = SqlTypes.FromProto(step.Cast.Type) ?? throw new TransformException(field + ".cast.type", "choose a type");
                    var castSql = step.Cast.NullOnError ? SafeCast(Quoted(cast.Name), target) : $"CAST({Quoted(cast.Name)} AS {SqlTypes.Name(target)})";
                    sql = $"SELECT {string.Join(", ", columns.Select(c => c == cast ? $"{castSql} AS {Quoted(c.Name)}" : Quoted(c.Name)))} FROM {from}";
                    break;
                case TransformStep.StepOneofCase.FillNulls:
                    var fill = Find(step.FillNulls.Column, field + ".fill_nulls.column");
                    var fillValue = TypedLiteral(step.FillNulls.Value, fill.Type, field + ".fill_nulls.value");
                    var parameter = "p" + parameters.Count.ToString(CultureInfo.InvariantCulture);
                    parameters.Add(new SqlParameter(parameter, fillValue.Value, fillValue.Type));
                    sql = $"SELECT {string.Join(", ", columns.Select(c => c == fill ? $"coalesce({Quoted(c.Name)}, @{parameter}) AS {Quoted(c.Name)}" : Quoted(c.Name)))} FROM {from}";
                    break;
                case TransformStep.StepOneofCase.DropNulls:
                    var required = step.DropNulls.Columns.Count == 0 ? columns : step.DropNulls.Columns.Select((c, i) => Find(c, $"{field}.drop_nulls.columns[{i}]")).ToList();
                    sql = $"SELECT {All()} FROM {from} WHERE {string.Join(" AND ", required.Select(c => $"{Quoted(c.Name)} IS NOT NULL"))}";
                    break;
                case TransformStep.StepOneofCase.Deduplicate:
                    sql = step.Deduplicate.Columns.Count == 0
                        ? $"SELECT DISTINCT {All()} FROM {from}"
                        : $"SELECT DISTINCT ON ({string.Join(", ", step.Deduplicate.Columns.Select((c, i) => Quoted(Find(c, $"{field}.deduplicate.columns[{i}]").Name)))}) {All()} FROM {from}";
                    break;
                case TransformStep.StepOneofCase.Derive:
                    var derivedName = NewName(step.Derive.Name, field + ".derive.name");
                    if (columns.Any(c => c.Name == derivedName))
                    {
                        throw new TransformException(field + ".derive.name", $"a column named '{derivedName}' already exists");
                    }
                    var expression = Compile(step.Derive.Expression, columns, parameters, field + ".derive.expression");
                    sql = $"SELECT {All()}, {expression} AS {Quoted(derivedName)} FROM {from}";
                    columns = [.. columns, new PublishColumn(derivedName, string.IsNullOrWhiteSpace(step.Derive.Label) ? step.Derive.Name.Trim() : step.Derive.Label.Trim(), SqlType.Text)];
                    break;
                default:
                    throw new TransformException(field, "choose a step (select, rename, filter, cast, fill_nulls, drop_nulls, deduplicate or derive)");
            }
            var culprit = step.StepCase switch
            {
                TransformStep.StepOneofCase.Filter => field + ".filter.expression",
                TransformStep.StepOneofCase.Derive => field + ".derive.expression",
                TransformStep.StepOneofCase.Cast => field + ".cast.type",
                TransformStep.StepOneofCase.FillNulls => field + ".fill_nulls.value",
                _ => field,
            };
            columns = await DescribeAsync(connection, transaction, sql, parameters, columns, culprit, cancellationToken);
            if (columns.Count > 1600)
            {
                throw new TransformException(field, "the result would have more than 1,600 columns");
            }
        }
        return new TransformPlan(sql, parameters, columns);
    }

    public static NpgsqlCommand Command(string sql, IEnumerable<SqlParameter> parameters, NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(p.Name, p.Type) { Value = p.Value });
        }
        return command;
    }

    private static async Task<List<PublishColumn>> DescribeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, List<SqlParameter> parameters, List<PublishColumn> columns, string field, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, parameters, connection, transaction);
        await using var savepoint = new SavepointScope(transaction);
        try
        {
            await savepoint.CreateAsync(cancellationToken);
            var types = new List<string>(columns.Count);
            await using (var reader = await command.ExecuteReaderAsync(CommandBehavior.SchemaOnly, cancellationToken))
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    types.Add(reader.GetDataTypeName(i));
                }
            }
            await savepoint.ReleaseAsync(cancellationToken);
            var result = new List<PublishColumn>(columns.Count);
            for (var i = 0; i < types.Count; i++)
            {
                var type = SqlTypes.FromPostgres(types[i])
                    ?? throw new TransformException(field, $"column '{columns[i].Name}' would have type {types[i]}, which datasets cannot hold; cast it to text or a number");
                result.Add(columns[i] with { Type = type });
            }
            return result;
        }
        catch (PostgresException ex)
        {
            await savepoint.RollbackAsync(cancellationToken);
            throw new TransformException(field, ex.MessageText);
        }
    }

    private static string Compile(string expression, List<PublishColumn> columns, List<SqlParameter> parameters, string field)
    {
        var references = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var column in columns)
        {
            references.TryAdd(column.Name, column.Name);
        }
        foreach (var column in columns)
        {
            references.TryAdd(column.Label, column.Name);
        }
        try
        {
            return new ExpressionCompiler(references, parameters).Compile(expression);
        }
        catch (ExpressionException ex)
        {
            throw new TransformException(field, $"{ex.Message} at position {ex.Position}");
        }
    }

    private static string NewName(string name, string field)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            throw new TransformException(field, "give a name of 1-200 characters");
        }
        return ColumnNames.Normalise(name.Trim(), "column");
    }

    /// <summary>A cast that yields NULL instead of failing on text that does not look like the target type.</summary>
    private static string SafeCast(string column, SqlType target)
    {
        var pattern = target switch
        {
            SqlType.Integer or SqlType.BigInt => @"^\s*[-+]?[0-9]{1,18}\s*$",
            SqlType.Numeric or SqlType.Double => @"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$",
            SqlType.Boolean => @"^\s*(true|false|t|f|yes|no|y|n|on|off|1|0)\s*$",
            SqlType.Date => @"^\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\s*$",
            SqlType.Timestamp or SqlType.TimestampTz => @"^\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?\s*(Z|[-+][0-9]{2}(:?[0-9]{2})?)?$",
            _ => null,
        };
        var type = SqlTypes.Name(target);
        return pattern is null
            ? $"CAST({column} AS {type})"
            : $"CASE WHEN {column}::text ~* '{pattern}' THEN CAST({column}::text AS {type}) END";
    }

    private static (object Value, NpgsqlDbType Type) TypedLiteral(string text, SqlType type, string field)
    {
        var value = new TypedValue();
        if (!ValueConverter.TryConvert(text, FieldKind.Raw, type, DateOrder.Iso, ref value))
        {
            throw new TransformException(field, $"'{text}' is not {ValueConverter.Expected(type)}");
        }
        object boxed = type switch
        {
            SqlType.Boolean => value.Bool,
            SqlType.Integer => (int)value.Long,
            SqlType.BigInt => value.Long,
            SqlType.Numeric => value.Decimal,
            SqlType.Double => value.Double,
            SqlType.Date => DateOnly.FromDateTime(value.DateTime),
            SqlType.Timestamp or SqlType.TimestampTz => value.DateTime,
            _ => value.Text!,
        };
        return (boxed, SqlTypes.DbType(type));
    }

    /// <summary>Lets a describe fail without aborting the surrounding transaction.</summary>
    private sealed class SavepointScope(NpgsqlTransaction transaction) : IAsyncDisposable
    {
        private const string Name = "astq_describe";

        public Task CreateAsync(CancellationToken cancellationToken) => transaction.SaveAsync(Name, cancellationToken);

        public Task ReleaseAsync(CancellationToken cancellationToken) => transaction.ReleaseAsync(Name, cancellationToken);

        public Task RollbackAsync(CancellationToken cancellationToken) => transaction.RollbackAsync(Name, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
