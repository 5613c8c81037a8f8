using System.ComponentModel.DataAnnotations;

namespace AstralytiQ.Server.Features.Ask;

/// <summary>Section "Ask" (environment: ASTQ__Ask__ValueListLimit, ...): questions in plain English.</summary>
public sealed class AskOptions
{
    public const string SectionName = "Ask";

    /// <summary>
    /// Text columns with at most this many distinct values have them all read (once per dataset
    /// version) so questions can name them ("Austin", "Ideal cut"). 0 uses only what the profile keeps.
    /// </summary>
    [Range(0, 2000, ErrorMessage = "Ask:ValueListLimit must be between 0 and 2000.")]
    public int ValueListLimit { get; set; } = 250;

    /// <summary>Most rows sent to the language model to polish an explanation (only where the workspace allows it).</summary>
    [Range(1, 200, ErrorMessage = "Ask:ExplanationRows must be between 1 and 200.")]
    public int ExplanationRows { get; set; } = 20;
}
