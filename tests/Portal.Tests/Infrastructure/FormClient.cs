using System.Net;
using System.Text.RegularExpressions;

namespace AstralytiQ.Portal.Tests.Infrastructure;

/// <summary>A page the portal answered: status, final address after redirects, and the HTML.</summary>
public sealed record PortalPage(HttpStatusCode Status, Uri Address, string Html, HttpResponseMessage Response)
{
    public string Path => Address.PathAndQuery;

    /// <summary>The text of the element with <c>data-testid</c>, tags stripped and whitespace collapsed; null when absent.</summary>
    public string? TestId(string id)
    {
        var match = Regex.Match(Html, $"<(?<tag>[a-z0-9]+)\\b[^>]*data-testid=\"{Regex.Escape(id)}\"[^>]*>(?<body>.*?)</\\k<tag>>", RegexOptions.Singleline);
        return match.Success ? FormClient.Text(match.Groups["body"].Value) : null;
    }

    /// <summary>The page's visible text, tags stripped and whitespace collapsed.</summary>
    public string Text => FormClient.Text(Html);
}

/// <summary>
/// Drives the portal like a browser without JavaScript: keeps cookies, follows redirects, and submits the
/// page's real forms (hidden fields, so the anti-forgery token, included) with the fields a test fills in.
/// </summary>
public sealed class FormClient : IDisposable
{
    private readonly HttpClient _http;

    public FormClient(Uri baseAddress)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = Cookies }) { BaseAddress = baseAddress };
    }

    public CookieContainer Cookies { get; }

    public Uri BaseAddress => _http.BaseAddress!;

    public string? Cookie(string name) => Cookies.GetCookies(BaseAddress)[name]?.Value;

    public void SetCookie(string name, string value) => Cookies.Add(BaseAddress, new Cookie(name, value, "/"));

    public Task<PortalPage> GetAsync(string url, bool follow = true) => SendAsync(new HttpRequestMessage(HttpMethod.Get, url), follow);

    /// <summary>Posts fields as a form would, without adding anything (for tests of what the portal refuses).</summary>
    public Task<PortalPage> PostRawAsync(string url, IEnumerable<KeyValuePair<string, string>> fields, bool follow = true) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) }, follow);

    /// <summary>
    /// Submits a form of <paramref name="page"/>: the first whose markup contains <paramref name="formMarker"/> (an
    /// attribute like <c>data-testid="login-form"</c> or an action), or the only POST form of the main content.
    /// Fields named in <paramref name="fields"/> replace the form's values; the form's other fields are sent as the page holds them.
    /// </summary>
    public Task<PortalPage> SubmitAsync(PortalPage page, IDictionary<string, string>? fields = null, string? formMarker = null, bool follow = true)
    {
        var form = FindForm(page, formMarker);
        var values = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in form.Fields)
        {
            if (fields is null || !fields.ContainsKey(name))
            {
                values.Add(new(name, value));
            }
        }
        foreach (var (name, value) in fields ?? new Dictionary<string, string>())
        {
            values.Add(new(name, value));
        }
        var action = string.IsNullOrEmpty(form.Action) ? page.Address.PathAndQuery : WebUtility.HtmlDecode(form.Action);
        var method = form.Method.Equals("get", StringComparison.OrdinalIgnoreCase) ? HttpMethod.Get : HttpMethod.Post;
        if (method == HttpMethod.Get)
        {
            var query = string.Join("&", values.Select(v => Uri.EscapeDataString(v.Key) + "=" + Uri.EscapeDataString(v.Value)));
            var path = action.Split('?')[0];
            return SendAsync(new HttpRequestMessage(HttpMethod.Get, path + "?" + query), follow);
        }
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(page.Address, action)) { Content = new FormUrlEncodedContent(values) }, follow);
    }

    public void Dispose() => _http.Dispose();

    private async Task<PortalPage> SendAsync(HttpRequestMessage request, bool follow)
    {
        for (var hops = 0; ; hops++)
        {
            var response = await _http.SendAsync(request);
            var address = request.RequestUri!.IsAbsoluteUri ? request.RequestUri : new Uri(BaseAddress, request.RequestUri);
            var status = (int)response.StatusCode;
            if (follow && status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                Assert.True(hops < 10, "More than 10 redirects from " + address);
                request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, location));
                response.Dispose();
                continue;
            }
            var html = await response.Content.ReadAsStringAsync();
            return new PortalPage(response.StatusCode, address, html, response);
        }
    }

    private static HtmlForm FindForm(PortalPage page, string? marker)
    {
        var forms = Regex.Matches(page.Html, "<form\\b(?<attrs>[^>]*)>(?<body>.*?)</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)
            .Select(m => (At: m.Index, Attrs: m.Groups["attrs"].Value, Body: m.Groups["body"].Value))
            .ToList();
        var main = page.Html.IndexOf("<main", StringComparison.Ordinal);
        var candidates = marker is null
            // Without a marker: the first form in <main> (the header's sign-out form is never the one a test means).
            ? forms.Where(f => f.At > main).ToList()
            : forms.Where(f => f.Attrs.Contains(marker, StringComparison.Ordinal) || f.Body.Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.True(candidates.Count >= 1, $"No form{(marker is null ? "" : " matching " + marker)} on {page.Path} ({page.Status}):\n{page.Text}");
        var (_, attrs, body) = candidates[0];
        var fields = new List<KeyValuePair<string, string>>();
        foreach (Match input in Regex.Matches(body, "<input\\b[^>]*>", RegexOptions.IgnoreCase))
        {
            var name = Attribute(input.Value, "name");
            var type = Attribute(input.Value, "type") ?? "text";
            if (name is null || type is "submit" or "button" || (type is "checkbox" or "radio" && !input.Value.Contains(" checked", StringComparison.Ordinal)))
            {
                continue;
            }
            fields.Add(new(name, WebUtility.HtmlDecode(Attribute(input.Value, "value") ?? (type == "checkbox" ? "on" : ""))));
        }
        foreach (Match select in Regex.Matches(body, "<select\\b(?<attrs>[^>]*)>(?<options>.*?)</select>", RegexOptions.Singleline | RegexOptions.IgnoreCase))
        {
            if (Attribute(select.Groups["attrs"].Value, "name") is not { } name)
            {
                continue;
            }
            var options = Regex.Matches(select.Groups["options"].Value, "<option\\b[^>]*>", RegexOptions.IgnoreCase).Select(o => o.Value).ToList();
            var chosen = options.FirstOrDefault(o => o.Contains("selected", StringComparison.Ordinal)) ?? options.FirstOrDefault();
            fields.Add(new(name, chosen is null ? "" : WebUtility.HtmlDecode(Attribute(chosen, "value") ?? "")));
        }
        foreach (Match area in Regex.Matches(body, "<textarea\\b(?<attrs>[^>]*)>(?<text>.*?)</textarea>", RegexOptions.Singleline | RegexOptions.IgnoreCase))
        {
            if (Attribute(area.Groups["attrs"].Value, "name") is { } name)
            {
                fields.Add(new(name, WebUtility.HtmlDecode(area.Groups["text"].Value)));
            }
        }
        return new HtmlForm(Attribute(attrs, "action") ?? "", Attribute(attrs, "method") ?? "get", fields);
    }

    private static string? Attribute(string tag, string name)
    {
        var match = Regex.Match(tag, $"\\s{name}=\"(?<v>[^\"]*)\"", RegexOptions.IgnoreCase);
        return match.Success ? match.Groups["v"].Value : null;
    }

    internal static string Text(string html) =>
        WebUtility.HtmlDecode(Regex.Replace(Regex.Replace(html, "<[^>]+>", " "), "\\s+", " ")).Trim();

    private sealed record HtmlForm(string Action, string Method, List<KeyValuePair<string, string>> Fields);
}
