using System.ComponentModel.DataAnnotations;
using System.Globalization;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Forms;
using AstralytiQ.Portal.Infrastructure.Session;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Query;

/// <summary>
/// The SQL page: the workspace's tables beside an editor; Check (validate) for everyone, Run for
/// analysts. <c>?sql=</c> puts SQL in the editor without running it (the Ask page's "Open in SQL
/// editor"). A run redirects to <c>?run=id</c>, which pages through the kept rows (post-redirect-get);
/// refused SQL comes back on the form with each error's line, column and a caret under the spot.
/// History and saved queries sit below.
/// </summary>
public sealed class IndexModel(QueryService.QueryServiceClient queries, PortalSession session) : PageModel
{
    public const int RowsPerPage = 25;
    private const int HistorySize = 10;
    private const int SavedSize = 20;
    private const string DetailsTrailer = "grpc-status-details-bin";

    [BindProperty]
    public InputModel Input { get; set; } = new();

    /// <summary>The run whose rows are shown.</summary>
    [BindProperty(SupportsGet = true, Name = "run")]
    public string? RunId { get; set; }

    /// <summary>1-based page of the run's rows.</summary>
    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    /// <summary>A saved query to load into the editor.</summary>
    [BindProperty(SupportsGet = true, Name = "saved")]
    public string? SavedId { get; set; }

    /// <summary>SQL to put in the editor (the Ask page's "Open in SQL editor"); a saved query or run named too wins.</summary>
    [BindProperty(SupportsGet = true, Name = "sql")]
    public string? PrefillSql { get; set; }

    /// <summary>Where the history list continues.</summary>
    [BindProperty(SupportsGet = true, Name = "history")]
    public string? HistoryToken { get; set; }

    public IReadOnlyList<QueryTable> Tables { get; private set; } = [];

    public IReadOnlyList<QueryRun> History { get; private set; } = [];

    public string HistoryNextToken { get; private set; } = "";

    public IReadOnlyList<SavedQuery> Saved { get; private set; } = [];

    /// <summary>SQL errors with positions (from validation or from PostgreSQL), shown under the editor.</summary>
    public IReadOnlyList<SqlError> SqlErrors { get; private set; } = [];

    /// <summary>Set after Check when the SQL is valid.</summary>
    public ValidateSqlResponse? Validation { get; private set; }

    public QueryRun? Run { get; private set; }

    public GetQueryResultsResponse? Results { get; private set; }

    /// <summary>Why a run's rows cannot be shown (expired, failed), if so.</summary>
    public string? ResultsMessage { get; private set; }

    public SavedQuery? LoadedSaved { get; private set; }

    public bool CanRun => session.User?.IsAnalyst == true;

    public int PageCount => Results is null ? 0 : Math.Max(1, (int)Math.Ceiling(Results.TotalRowCount / (double)RowsPerPage));

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Write a SELECT query first.")]
        [StringLength(100_000, ErrorMessage = "SQL must be at most 100,000 characters.")]
        [Display(Name = "SQL")]
        public string Sql { get; set; } = "";

        [StringLength(200, ErrorMessage = "Name must be at most 200 characters.")]
        [Display(Name = "Name")]
        [ServerField("name")]
        public string? SaveName { get; set; }

        [StringLength(2000, ErrorMessage = "Description must be at most 2,000 characters.")]
        [Display(Name = "Description")]
        [ServerField("description")]
        public string? SaveDescription { get; set; }
    }

    public async Task OnGetAsync()
    {
        if (!string.IsNullOrEmpty(PrefillSql))
        {
            Input.Sql = PrefillSql;
        }
        if (!string.IsNullOrEmpty(SavedId))
        {
            LoadedSaved = await queries.GetSavedQueryAsync(new GetSavedQueryRequest { SavedQueryId = SavedId }, cancellationToken: HttpContext.RequestAborted);
            Input.Sql = LoadedSaved.Sql;
        }
        if (!string.IsNullOrEmpty(RunId))
        {
            await LoadRunAsync(RunId);
        }
        await LoadListsAsync();
    }

    public async Task<IActionResult> OnPostRunAsync()
    {
        if (ModelState.IsValid)
        {
            try
            {
                var run = await queries.RunSqlAsync(new RunSqlRequest { Sql = Input.Sql }, cancellationToken: HttpContext.RequestAborted);
                return RedirectToPage(new { run = run.QueryRunId });
            }
            catch (RpcException ex) when (ex.StatusCode is Grpc.Core.StatusCode.InvalidArgument or Grpc.Core.StatusCode.DeadlineExceeded)
            {
                ShowRefusal(ex);
            }
        }
        await LoadListsAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostCheckAsync()
    {
        if (ModelState.IsValid)
        {
            var result = await queries.ValidateSqlAsync(new ValidateSqlRequest { Sql = Input.Sql }, cancellationToken: HttpContext.RequestAborted);
            if (result.Valid)
            {
                Validation = result;
            }
            else
            {
                SqlErrors = result.Errors;
                ModelState.AddModelError("Input.Sql", Describe(result.Errors[0]));
            }
        }
        await LoadListsAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync()
    {
        if (string.IsNullOrWhiteSpace(Input.SaveName))
        {
            ModelState.AddModelError("Input.SaveName", "Name the query to save it, e.g. \"Revenue by region\".");
        }
        if (ModelState.IsValid)
        {
            try
            {
                var saved = await queries.SaveQueryAsync(new SaveQueryRequest { Name = Input.SaveName!.Trim(), Description = Input.SaveDescription?.Trim() ?? "", Sql = Input.Sql },
                    cancellationToken: HttpContext.RequestAborted);
                TempData["StatusMessage"] = $"Saved as “{saved.Name}”.";
                return RedirectToPage(new { saved = saved.Id });
            }
            catch (RpcException ex) when (ex.StatusCode == Grpc.Core.StatusCode.InvalidArgument && SqlErrorsOf(ex).Count > 0)
            {
                ShowRefusal(ex);
            }
            catch (RpcException ex) when (ServerErrors.IsFormError(ex))
            {
                ModelState.AddServerError<InputModel>(ex);
            }
        }
        await LoadListsAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteSavedAsync(string id)
    {
        var saved = await queries.GetSavedQueryAsync(new GetSavedQueryRequest { SavedQueryId = id }, cancellationToken: HttpContext.RequestAborted);
        await queries.DeleteSavedQueryAsync(new DeleteSavedQueryRequest { SavedQueryId = id }, cancellationToken: HttpContext.RequestAborted);
        TempData["StatusMessage"] = $"The saved query “{saved.Name}” has been deleted.";
        return RedirectToPage();
    }

    /// <summary>A value as the results table shows it.</summary>
    public static string Display(SqlValue value) => value.KindCase switch
    {
        SqlValue.KindOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        SqlValue.KindOneofCase.Int64Value => value.Int64Value.ToString(CultureInfo.InvariantCulture),
        SqlValue.KindOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        SqlValue.KindOneofCase.DecimalValue => DisplayDecimal(value.DecimalValue),
        SqlValue.KindOneofCase.StringValue => value.StringValue,
        SqlValue.KindOneofCase.DateValue => value.DateValue,
        SqlValue.KindOneofCase.TimestampValue => value.TimestampValue.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'),
        _ => "",
    };

    /// <summary>
    /// A decimal as stored, except that computed ones with a long tail (avg() gives 16 places:
    /// 62.5000000000000000) are cut to six places without trailing zeros. A column's own scale
    /// (10.50) is kept.
    /// </summary>
    public static string DisplayDecimal(string text)
    {
        var point = text.IndexOf('.', StringComparison.Ordinal);
        if (point < 0 || text.Length - point - 1 <= 6 || !decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var number))
        {
            return text;
        }
        return Math.Round(number, 6, MidpointRounding.AwayFromZero).ToString("0.######", CultureInfo.InvariantCulture);
    }

    public static bool IsNumeric(SqlColumn column) => column.Type is SqlValueType.Int64 or SqlValueType.Double or SqlValueType.Decimal;

    public static string Describe(SqlError error) =>
        error.Offset < 0 ? error.Message : $"Line {error.Line}, column {error.Column}: {error.Message}";

    public static string State(QueryRunState state) => state switch
    {
        QueryRunState.Succeeded => "Succeeded",
        QueryRunState.Invalid => "Refused",
        QueryRunState.TimedOut => "Timed out",
        QueryRunState.Cancelled => "Cancelled",
        _ => "Failed",
    };

    public static string Time(Google.Protobuf.WellKnownTypes.Timestamp? time) =>
        time is null ? "" : time.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    public static string Milliseconds(Google.Protobuf.WellKnownTypes.Duration? duration) =>
        duration is null ? "" : duration.ToTimeSpan().TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture) + " ms";

    public static string Shorten(string sql, int length = 90)
    {
        var flat = string.Join(' ', sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= length ? flat : flat[..(length - 1)] + "…";
    }

    private void ShowRefusal(RpcException ex)
    {
        SqlErrors = SqlErrorsOf(ex);
        var message = SqlErrors.Count > 0 ? Describe(SqlErrors[0]) : ex.Status.Detail;
        ModelState.AddModelError("Input.Sql", SqlErrors.Count > 1 ? $"{message} (and {SqlErrors.Count - 1} more)" : message);
    }

    private static List<SqlError> SqlErrorsOf(RpcException ex)
    {
        if (ex.Trailers.GetValueBytes(DetailsTrailer) is not { } bytes)
        {
            return [];
        }
        try
        {
            return Google.Rpc.Status.Parser.ParseFrom(bytes).Details
                .Where(d => d.Is(SqlErrorDetails.Descriptor))
                .SelectMany(d => d.Unpack<SqlErrorDetails>().Errors)
                .ToList();
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return [];
        }
    }

    private async Task LoadRunAsync(string runId)
    {
        Run = await queries.GetQueryRunAsync(new GetQueryRunRequest { QueryRunId = runId }, cancellationToken: HttpContext.RequestAborted);
        Input.Sql = Run.Sql;
        if (Run.State != QueryRunState.Succeeded)
        {
            ResultsMessage = $"This run did not produce rows: {Run.Error}";
            return;
        }
        PageNumber = Math.Max(1, PageNumber);
        try
        {
            Results = await queries.GetQueryResultsAsync(new GetQueryResultsRequest
            {
                QueryRunId = runId,
                PageSize = RowsPerPage,
                StartIndex = Math.Min((long)(PageNumber - 1) * RowsPerPage, Run.RowCount),
            }, cancellationToken: HttpContext.RequestAborted);
        }
        catch (RpcException ex) when (ex.StatusCode == Grpc.Core.StatusCode.FailedPrecondition)
        {
            ResultsMessage = "The rows of this run are no longer kept (they are kept for a few minutes). Run the query again to see them.";
        }
    }

    private async Task LoadListsAsync()
    {
        var cancel = HttpContext.RequestAborted;
        var tables = queries.ListQueryTablesAsync(new ListQueryTablesRequest(), cancellationToken: cancel).ResponseAsync;
        var history = queries.ListQueryHistoryAsync(new ListQueryHistoryRequest { PageSize = HistorySize, PageToken = HistoryToken ?? "", UserId = session.User?.UserId ?? "" },
            cancellationToken: cancel).ResponseAsync;
        var saved = queries.ListSavedQueriesAsync(new ListSavedQueriesRequest { PageSize = SavedSize }, cancellationToken: cancel).ResponseAsync;
        Tables = (await tables).Tables;
        var historyPage = await history;
        History = historyPage.Runs;
        HistoryNextToken = historyPage.NextPageToken;
        Saved = (await saved).SavedQueries;
    }
}
