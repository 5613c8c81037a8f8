using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace AstralytiQ.Portal.Infrastructure.Forms;

/// <summary>Ids shared by the error summary, the field messages and the inputs that point at them.</summary>
internal static class FormIds
{
    public static string Field(string key) => TagBuilder.CreateSanitizedId(key, "_");

    public static string Error(string key) => Field(key) + "-error";
}

/// <summary>
/// <c>&lt;error-summary /&gt;</c>: when the form has errors, a focused alert listing each one, each linking to
/// its field (form-level errors as plain text), so keyboard and screen-reader users reach every problem.
/// </summary>
[HtmlTargetElement("error-summary", TagStructure = TagStructure.WithoutEndTag)]
public sealed class ErrorSummaryTagHelper : TagHelper
{
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var modelState = ViewContext.ViewData.ModelState;
        if (modelState.IsValid)
        {
            output.SuppressOutput();
            return;
        }
        output.TagName = "div";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("class", "error-summary");
        output.Attributes.SetAttribute("role", "alert");
        output.Attributes.SetAttribute("aria-labelledby", "error-summary-title");
        output.Attributes.SetAttribute("tabindex", "-1");
        output.Attributes.SetAttribute("autofocus", "autofocus");
        output.Attributes.SetAttribute("data-testid", "error-summary");
        var encoder = HtmlEncoder.Default;
        var html = new System.Text.StringBuilder("<h2 id=\"error-summary-title\">There is a problem</h2><ul>");
        // Form-level messages first, then fields in the order they were bound (the order of the form).
        foreach (var (key, entry) in modelState.OrderBy(e => e.Key.Length == 0 ? 0 : 1))
        {
            foreach (var error in entry?.Errors ?? [])
            {
                var message = encoder.Encode(string.IsNullOrEmpty(error.ErrorMessage) ? "This value is not valid." : error.ErrorMessage);
                html.Append(key.Length == 0
                    ? $"<li>{message}</li>"
                    : $"<li><a href=\"#{encoder.Encode(FormIds.Field(key))}\">{message}</a></li>");
            }
        }
        html.Append("</ul>");
        output.Content.SetHtmlContent(html.ToString());
    }
}

/// <summary>
/// <c>&lt;field-error for="Input.Email" /&gt;</c> (or <c>key="from"</c> for a field bound under another name):
/// the field's messages, with the id its input's aria-describedby names.
/// </summary>
[HtmlTargetElement("field-error", TagStructure = TagStructure.WithoutEndTag)]
public sealed class FieldErrorTagHelper : TagHelper
{
    [HtmlAttributeName("for")]
    public ModelExpression? For { get; set; }

    [HtmlAttributeName("key")]
    public string? Key { get; set; }

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var key = Key ?? ViewContext.ViewData.TemplateInfo.GetFullHtmlFieldName(For?.Name);
        if (!ViewContext.ViewData.ModelState.TryGetValue(key, out var entry) || entry.Errors.Count == 0)
        {
            output.SuppressOutput();
            return;
        }
        output.TagName = "p";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("class", "field-error");
        output.Attributes.SetAttribute("id", FormIds.Error(key));
        output.Content.SetHtmlContent("<span class=\"visually-hidden\">Error: </span>");
        output.Content.AppendHtml(string.Join(" ", entry.Errors.Select(e => HtmlEncoder.Default.Encode(e.ErrorMessage))));
    }
}

/// <summary>Marks an input, select or textarea with errors as <c>aria-invalid</c> and points its aria-describedby at the message.</summary>
[HtmlTargetElement("input", Attributes = "asp-for")]
[HtmlTargetElement("select", Attributes = "asp-for")]
[HtmlTargetElement("textarea", Attributes = "asp-for")]
public sealed class AriaInvalidTagHelper : TagHelper
{
    // After the framework's input, select and textarea tag helpers, which write id and name.
    public override int Order => 100;

    [HtmlAttributeName("asp-for")]
    public ModelExpression For { get; set; } = null!;

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var key = ViewContext.ViewData.TemplateInfo.GetFullHtmlFieldName(For.Name);
        if (ViewContext.ViewData.ModelState.GetFieldValidationState(key) != ModelValidationState.Invalid)
        {
            return;
        }
        output.Attributes.SetAttribute("aria-invalid", "true");
        var describedBy = output.Attributes.TryGetAttribute("aria-describedby", out var existing) ? existing.Value + " " : "";
        output.Attributes.SetAttribute("aria-describedby", describedBy + FormIds.Error(key));
    }
}
