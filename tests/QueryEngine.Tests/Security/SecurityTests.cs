using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Sql;
using AstralytiQ.QueryEngine.Tests.Policy;
using Npgsql;

namespace AstralytiQ.QueryEngine.Tests.Security;

/// <summary>
/// Hostile inputs (Security/hostile-inputs.txt) must all be refused with the expected category and
/// produce no executable SQL; and, separately, PostgreSQL itself must refuse forbidden SQL run
/// directly as a tenant role, so that even a validator bug could not write or read across tenants.
/// </summary>
public sealed class SecurityTests
{
    private static readonly Lazy<IReadOnlyList<(int Line, string Category, string Sql)>> Cases = new(Load);

    private static IReadOnlyList<(int, string, string)> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Security", "hostile-inputs.txt");
        var result = new List<(int, string, string)>();
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var bar = line.IndexOf(" | ", StringComparison.Ordinal);
            result.Add((i + 1, line[..bar].Trim(), line[(bar + 3)..].Replace("⏎", "\n", StringComparison.Ordinal)));
        }

        return result;
    }

    public static IEnumerable<object[]> CaseLines() => Cases.Value.Select(c => new object[] { c.Line, c.Category });

    [Fact]
    public void The_catalogue_holds_at_least_200_hostile_inputs_across_every_category()
    {
        Assert.True(Cases.Value.Count >= 200, $"only {Cases.Value.Count} cases");
        var categories = Cases.Value.Select(c => c.Category).Distinct().ToHashSet();
        foreach (var expected in new[] { "StatementNotAllowed", "FunctionNotAllowed", "SchemaNotAllowed", "Unsupported", "TooComplex", "RecursiveQuery", "TypeNotAllowed", "Syntax" })
        {
            Assert.Contains(expected, categories);
        }
    }

    [Theory]
    [MemberData(nameof(CaseLines))]
    public void Hostile_input_is_refused_with_a_clear_reason_and_no_executable_sql(int line, string category)
    {
        var (_, _, sql) = Cases.Value.Single(c => c.Line == line);
        var expected = Enum.Parse<SqlErrorCode>(category);
        var result = SafeSql.Prepare(sql, DemoCatalog.Catalog, QueryPolicy.Default);
        var shown = sql.Length > 200 ? sql[..200] + "..." : sql;
        Assert.False(result.Succeeded, $"line {line} was accepted: {shown}\n=> {result.ExecutableSql}");
        Assert.Null(result.ExecutableSql);
        Assert.Null(result.CanonicalSql);
        Assert.NotEmpty(result.Errors);
        Assert.All(result.Errors, e =>
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            Assert.InRange(e.Offset, -1, sql.Length);
        });
        Assert.True(
            result.Errors.Any(e => e.Code == expected),
            $"line {line}: expected {expected}, got {string.Join("; ", result.Errors.Select(e => e.Code + ": " + e.Message))}\n{shown}");
    }

    [Fact]
    public void Nul_characters_are_refused()
    {
        Assert.Equal(SqlErrorCode.Syntax, SafeSql.Prepare("SELECT \0", DemoCatalog.Catalog, QueryPolicy.Default).Errors[0].Code);
        var built = new Query(new SelectCore([new ExpressionItem(new StringLiteral("a\0b"))]));
        Assert.False(SafeSql.Prepare(built, DemoCatalog.Catalog, QueryPolicy.Default).Succeeded);
    }

    [Fact]
    public void Injection_text_inside_literals_stays_an_inert_string()
    {
        var p = SafeSql.Prepare("SELECT id FROM sales WHERE region = E'\\'; DROP TABLE sales; --'", DemoCatalog.Catalog, QueryPolicy.Default);
        Assert.True(p.Succeeded);
        Assert.EndsWith("WHERE \"sales\".\"region\" = '''; DROP TABLE sales; --' LIMIT 10000", p.ExecutableSql, StringComparison.Ordinal);
        var q = SafeSql.Prepare("SELECT id FROM sales WHERE region = 'a\\' OR region = 'b'", DemoCatalog.Catalog, QueryPolicy.Default);
        Assert.Contains("= E'a\\\\' OR \"sales\".\"region\" = 'b'", q.ExecutableSql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenant_role_itself_refuses_forbidden_sql_inside_a_read_only_transaction()
    {
        await using var db = await TestPostgres.CreateDatabaseAsync("astq_qe_role");
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var tenant = "astq_qe_tenant_" + suffix;
        var app = "astq_qe_app_" + suffix;
        var password = Guid.NewGuid().ToString("N");
        await using var admin = await db.OpenAsync();
        try
        {
            // The server's shape (DESIGN.md section 4): a NOLOGIN tenant role that can only SELECT its schema,
            // and a login role with no rights of its own (NOINHERIT) that may only SET ROLE to tenant roles.
            await ExecAsync(admin, $"""
                CREATE SCHEMA t_a; CREATE TABLE t_a.sales (id int, amount numeric); INSERT INTO t_a.sales VALUES (1, 10), (2, 20);
                CREATE SCHEMA t_b; CREATE TABLE t_b.secret (x text); INSERT INTO t_b.secret VALUES ('other tenant');
                CREATE ROLE {tenant} NOLOGIN;
                GRANT USAGE ON SCHEMA t_a TO {tenant};
                GRANT SELECT ON ALL TABLES IN SCHEMA t_a TO {tenant};
                CREATE ROLE {app} LOGIN NOINHERIT PASSWORD '{password}';
                GRANT {tenant} TO {app};
                """);
            var builder = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = app, Password = password };
            await using var conn = new NpgsqlConnection(builder.ConnectionString);
            await conn.OpenAsync();

            // The role can read its own schema.
            Assert.Null(await RunAsTenantAsync(conn, tenant, "SELECT count(*) FROM sales", readOnly: true));

            var forbidden = new (string Sql, string[] States)[]
            {
                ("INSERT INTO sales VALUES (3, 30)", ["25006"]),
                ("UPDATE sales SET amount = 0", ["25006"]),
                ("DELETE FROM sales", ["25006"]),
                ("CREATE TABLE t_a.evil (id int)", ["25006"]),
                ("SELECT * FROM t_b.secret", ["42501"]),
                ("SELECT pg_read_file('/etc/passwd')", ["42501"]),
                ("SELECT * FROM pg_authid", ["42501"]),
                ("COPY t_a.sales TO '/tmp/astq_qe_leak.csv'", ["42501"]),
                ("SELECT lo_import('/etc/passwd')", ["25006", "42501"]),
                ("SET ROLE NONE; SELECT * FROM t_b.secret", ["42501"]),
                ("SET ROLE NONE; SELECT * FROM t_a.sales", ["42501"]),
                ("RESET ROLE; SELECT pg_read_file('/etc/passwd')", ["42501"]),
            };
            foreach (var (sql, states) in forbidden)
            {
                var state = await RunAsTenantAsync(conn, tenant, sql, readOnly: true);
                Assert.True(state is not null && states.Contains(state), $"{sql}: expected SQLSTATE {string.Join("/", states)}, got {state ?? "success"}");
            }

            // Outside a read-only transaction the role still cannot write or create.
            Assert.Equal("42501", await RunAsTenantAsync(conn, tenant, "INSERT INTO sales VALUES (3, 30)", readOnly: false));
            Assert.Equal("42501", await RunAsTenantAsync(conn, tenant, "CREATE TABLE t_a.evil (id int)", readOnly: false));

            // Why the login role must not be a superuser: from a superuser session, SET ROLE is undone by RESET ROLE.
            Assert.Null(await RunAsTenantAsync(admin, tenant, "RESET ROLE; SELECT * FROM t_b.secret", readOnly: true));
        }
        finally
        {
            await ExecAsync(admin, $"DROP OWNED BY {tenant}; DROP ROLE IF EXISTS {app}; DROP ROLE IF EXISTS {tenant}");
        }
    }

    /// <summary>Runs SQL as the tenant role the way the server does; returns the SQLSTATE of the failure, or null on success.</summary>
    private static async Task<string?> RunAsTenantAsync(NpgsqlConnection conn, string role, string sql, bool readOnly)
    {
        await using var tx = await conn.BeginTransactionAsync();
        try
        {
            await ExecAsync(conn, $"{(readOnly ? "SET TRANSACTION READ ONLY; " : string.Empty)}SET LOCAL ROLE {role}; SET LOCAL search_path TO t_a; SET LOCAL statement_timeout = '5s'", tx);
            await ExecAsync(conn, sql, tx);
            return null;
        }
        catch (PostgresException ex)
        {
            return ex.SqlState;
        }
        finally
        {
            await tx.RollbackAsync();
        }
    }

    private static async Task ExecAsync(NpgsqlConnection conn, string sql, NpgsqlTransaction? tx = null)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync();
    }
}
