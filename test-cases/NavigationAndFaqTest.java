import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ways into the Learning Path for readers who do not start at page 1: the "Jump to" block of content/_index.md,
 * the agentic kits' pointer to the troubleshooting page for error recovery, and the FAQ's answers to what a first-time
 * reader asks, with the numbers of its noise rule taken from AnalyzeResults.
 */
class NavigationAndFaqTest {
    static final Path REPO = TestKit.repo();
    static final String FAQ = "content/16-faq.md", ANDROID = "content/10-android-sme2.md";
    /** The cards of the workflow's steps, and the section of the troubleshooting page that each points at. */
    static final List<String[]> CARDS = List.of(new String[]{"sme2-setup-workspace", "Setup"}, new String[]{"sme2-build-runners", "Build"},
            new String[]{"sme2-export-model", "Export"}, new String[]{"sme2-write-config", "Run on macOS or Linux"},
            new String[]{"sme2-run-mac", "Run on macOS or Linux"}, new String[]{"sme2-run-android", "Run on Android"},
            new String[]{"sme2-analyze-results", "Analyze"}, new String[]{"sme2-onboard-model", "Export"},
            new String[]{"sme2-sam-case-study", "Export", "Run on macOS or Linux", "Run on Android", "Analyze"});
    static final Pattern LINK = Pattern.compile("\\[([^\\]]+)\\]\\(([0-9]{2}-[a-z0-9-]+)/\\)");

    @Test
    void theJumpToBlockListsQuickStartReferencesTroubleshootingAndTheOptionalAndroidPage() throws Exception {
        String block = DocsTest.section(Files.readString(REPO.resolve("content/_index.md")), "## Jump to");
        assertFalse(block.isEmpty(), "content/_index.md has a ## Jump to block");
        List<String> targets = new ArrayList<>();
        for (String line : block.lines().filter(l -> l.startsWith("- ")).toList()) {
            Matcher m = LINK.matcher(line);
            assertTrue(m.find(), "every entry links a page: " + line);
            assertTrue(Files.isRegularFile(REPO.resolve("content/" + m.group(2) + ".md")), "the link resolves to a page: " + line);
            targets.add(m.group(2));
            if (m.group(2).equals("10-android-sme2")) assertTrue(line.toLowerCase(Locale.ROOT).contains("optional"), "Android is marked optional: " + line);
        }
        for (String page : List.of("02-quick-start", "13-command-reference", "14-configuration-reference", TroubleshootingPageTest.PAGE.replaceAll("^content/|\\.md$", ""),
                "10-android-sme2"))
            assertTrue(targets.contains(page), "Jump to lists " + page + ": " + targets);
    }

    @Test
    void theAgenticKitsPointAtTheTroubleshootingPageForErrorRecovery() throws Exception {
        Path page = REPO.resolve(TroubleshootingPageTest.PAGE);
        assertTrue(Files.isRegularFile(page), "the pointer resolves: " + TroubleshootingPageTest.PAGE);
        assertTrue(String.valueOf(DocsTest.frontMatter(page).get("title")).startsWith("Troubleshoot"), "it is the troubleshooting page");
        String text = Files.readString(page);
        for (String kit : List.of("agentic-kits/AGENTS.md", "agentic-kits/README.md"))
            assertTrue(Files.readString(REPO.resolve(kit)).contains("`" + TroubleshootingPageTest.PAGE + "`"), kit + " points at " + TroubleshootingPageTest.PAGE);
        try (var dirs = Files.list(REPO.resolve("agentic-kits/skills"))) {
            assertEquals(dirs.map(d -> d.getFileName().toString()).sorted().toList(), CARDS.stream().map(c -> c[0]).sorted().toList(),
                    "every step card is checked for its pointer");
        }
        for (String[] card : CARDS) {
            String failure = DocsTest.section(Files.readString(REPO.resolve("agentic-kits/skills/" + card[0] + "/SKILL.md")), "## Failure handling");
            List<String> sections = List.of(card).subList(1, card.length);
            String pointer = "`" + TroubleshootingPageTest.PAGE + "` (" + (sections.size() == 1 ? "section " : "sections ")
                    + String.join(", ", sections.stream().map(x -> "\"" + x + "\"").toList());
            assertTrue(failure.contains(pointer + (sections.size() == 1 ? ")" : ":")), card[0] + ": failure handling points at " + pointer);
            for (String section : sections) assertTrue(text.contains("\n### " + section + "\n"), "the troubleshooting page has the section " + section);
        }
    }

    @Test
    void theFaqAnswersWhatAFirstTimeReaderAsks() throws Exception {
        String faq = Files.readString(REPO.resolve(FAQ));
        for (String q : List.of("### Why does my Mac show no SME2 delta?", "### Do I need an Android phone to see an SME2 delta?",
                "### Why do I need a kernel log?", "### What does \"within noise\" mean?", "### Why do 1x1 convolutions appear as GEMM?",
                "### How many runs are enough?", "### How do I cite my results?", "### What do I do when a script fails?"))
            assertTrue(faq.contains("\n" + q + "\n"), "the FAQ answers: " + q);
        assertTrue(faq.contains("](../10-android-sme2/)") && faq.contains("](../15-troubleshooting/)"), "the FAQ links the Android and troubleshooting pages");
    }

    /** The FAQ states the analysis' rules with the analysis' own numbers: a change of a constant fails here. */
    @Test
    void theFaqStatesTheNoiseRuleWithTheAnalysisNumbers() throws Exception {
        String faq = Files.readString(REPO.resolve(FAQ)).replaceAll("\\s+", " ");
        String floor = String.format(Locale.ROOT, "the larger of %.3f ms and %d%% of the baseline", AnalyzeResults.NOISE_FLOOR_MS,
                Math.round(AnalyzeResults.NOISE_FLOOR_FRACTION * 100));
        assertTrue(faq.contains(floor), "noise floor: " + floor);
        assertTrue(faq.contains(String.format(Locale.ROOT, "%,d times, with a fixed seed", AnalyzeResults.BOOTSTRAP_RESAMPLES)), "bootstrap resamples");
        assertTrue(faq.contains("the interval excludes 1.0"), "the interval rule");
        assertTrue(faq.contains(String.format(Locale.ROOT, "at least %d timed executions", AnalyzeResults.MIN_RUNS)), "minimum runs");
        assertTrue(faq.contains(String.format(Locale.ROOT, "coefficient of variation above %d%%", Math.round(AnalyzeResults.CV_LIMIT_PERCENT))), "CV limit");
        assertTrue(faq.contains("\"" + AnalyzeResults.NO_CHANGE + "\""), "the verdict as the analysis writes it: " + AnalyzeResults.NO_CHANGE);
        // the two judged figures: end-to-end latency by medians, categories and operators by means per run (judge())
        assertTrue(faq.contains("compares the median latencies"), "medians for end-to-end latency");
    }
}
