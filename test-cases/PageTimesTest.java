import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** The time of every page is one number of minutes, and the pages add up to the front matter's minutes_to_complete. */
class PageTimesTest {
    /** The reference pages (generated ones, and troubleshooting) are looked up, not worked through: their Time row says so and adds nothing. */
    static final List<String> REFERENCE_PAGES = List.of(ReferencePages.COMMAND_PAGE, ReferencePages.CONFIG_PAGE,
            TroubleshootingPageTest.PAGE);
    static final String REFERENCE_TIME = "| Time | As long as you need: this page is a reference |";
    static final Pattern TIME = Pattern.compile("^\\| Time \\| (\\d+) minutes?\\b(.*)\\|$", Pattern.MULTILINE);

    @Test
    void pageTimesAddUpToMinutesToComplete() throws Exception {
        int sum = 0;
        List<String> problems = new ArrayList<>();
        for (Path page : DocsTest.contentPages(false)) {
            String text = Files.readString(page);
            if (REFERENCE_PAGES.contains(DocsTest.rel(page)) && text.contains(REFERENCE_TIME)) continue;
            Matcher m = TIME.matcher(text);
            if (!m.find()) { problems.add(DocsTest.rel(page) + ": no \"| Time | N minutes ... |\" row"); continue; }
            if (m.group(2).matches(".*\\bto \\d+.*|.*\\d+\\s*-\\s*\\d+\\s*min.*")) problems.add(DocsTest.rel(page) + ": a range of minutes: " + m.group());
            sum += Integer.parseInt(m.group(1));
        }
        assertEquals(List.of(), problems);
        Object total = DocsTest.frontMatter(DocsTest.REPO.resolve("content/_index.md")).get("minutes_to_complete");
        assertEquals(total, sum, "the pages' times add up to " + sum + " minutes, the front matter says " + total);
    }
}
