import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * content/15-troubleshooting.md quotes real messages only, and fails here when one of them drifts from its source.
 *
 * <h2>What the page quotes, and how each quote is found</h2>
 * Every non-blank line of every {@code ```text} block on the page is a quote, and each must be found:
 * <ul>
 * <li><b>A script's message</b>: a line that starts (after indentation) with {@code error: }, {@code fix: },
 * {@code [fail] } or {@code [warn] }, the prefixes Kit prints before a UserError, its fix, and a failed or warned check.
 * The rest of the line is a template: {@code <name>} (no spaces inside) stands for a variable part of any length, and
 * the literal fragments between placeholders must all be found, in order, in the string literals of ONE statement
 * (source text up to a {@code ;}) of one {@code scripts/*.java}. Each fragment lies inside one string literal
 * (literals joined by {@code +} alone, as a long message is split over lines, count as one). Where a fragment touches a
 * placeholder, the separators there (spaces and {@code : ; , ( )}) are left out of the search, because the code often
 * glues them to the variable part ({@code file + ": " + problem}). A quote that does not start with a placeholder must
 * start where a literal starts; one that does not end with a placeholder must end where a literal ends, so a word
 * dropped or added at either end is drift too. {@code ./jbang } is read as {@code jbang }: the
 * scripts print the launcher you typed (Kit.asTyped). The fragments must hold at least 10 characters in all.</li>
 * <li><b>A tool's output</b> (ExecuTorch's executor_runner, CMake, the compiler): any other line. It must match a line of
 * the real outputs in {@code test-cases/fixtures/runner-errors/*.log} or {@code test-cases/fixtures/build-errors/*.log}
 * (see their PROVENANCE), as output blocks match: {@code ...} inside a line matches any text.</li>
 * </ul>
 */
class TroubleshootingPageTest {
    static final Path REPO = TestKit.repo();
    static final String PAGE = "content/15-troubleshooting.md";
    static final List<String> SCRIPT_PREFIXES = List.of("error: ", "fix: ", "[fail] ", "[warn] ");
    static final List<String> LOG_DIRS = List.of("test-cases/fixtures/runner-errors", "test-cases/fixtures/build-errors");
    static final Pattern PLACEHOLDER = Pattern.compile("<[^<>\\s]+>");
    static final int MIN_LITERAL_CHARS = 10;
    /** The steps of the workflow, in the order the page groups its entries. */
    /** The steps of the workflow, in the order the page groups its entries. */
    static final List<String> STEPS = List.of("### Setup", "### Build", "### Export", "### Run on macOS or Linux", "### Run on Android",
            "### Analyze", "### Validate");

    /** One quoted line: where it is on the page and what it says. */
    record Quote(int line, String text) {
        boolean fromScript() { return SCRIPT_PREFIXES.stream().anyMatch(text.strip()::startsWith); }

        /** The message without its prefix, with the launcher as the scripts write it. */
        String message() {
            String s = text.strip();
            for (String p : SCRIPT_PREFIXES) if (s.startsWith(p)) return s.substring(p.length()).replace("./jbang ", "jbang ");
            return s;
        }
    }

    static List<Quote> quotes() {
        List<Quote> out = new ArrayList<>();
        for (DocCommands.Block b : DocCommands.blocks(REPO.resolve(PAGE))) {
            if (!b.lang().equals("text")) continue;
            String[] lines = b.text().split("\n");
            for (int i = 0; i < lines.length; i++) if (!lines[i].isBlank()) out.add(new Quote(b.line() + 1 + i, lines[i]));
        }
        return out;
    }

    // ------------------------------------------------------------------ the scripts' string literals

    /** Per script file, the string literals of each statement (see the class comment). */
    static Map<String, List<List<String>>> scriptStatements() throws IOException {
        Map<String, List<List<String>>> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(REPO.resolve("scripts"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".java")).sorted().toList())
                out.put(p.getFileName().toString(), statements(Files.readString(p)));
        }
        return out;
    }

    /**
     * The string literals of each statement of Java source text, in order. Comments and char literals are skipped; text
     * blocks count as literals; literals joined by nothing but {@code +} and whitespace become one literal.
     */
    static List<List<String>> statements(String src) {
        List<List<String>> out = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        boolean afterLiteral = false, plus = false;
        int n = src.length();
        for (int i = 0; i < n; i++) {
            char c = src.charAt(i);
            String lit = null;
            if (src.startsWith("//", i)) {
                int e = src.indexOf('\n', i);
                i = e < 0 ? n : e;
                continue;
            } else if (src.startsWith("/*", i)) {
                int e = src.indexOf("*/", i + 2);
                i = e < 0 ? n : e + 1;
                continue;
            } else if (src.startsWith("\"\"\"", i)) {
                int start = src.indexOf('\n', i) + 1, e = start;
                while (true) {
                    e = src.indexOf("\"\"\"", e);
                    if (e < 0 || src.charAt(e - 1) != '\\') break;
                    e += 3;
                }
                if (e < 0) throw new IllegalArgumentException("unclosed text block at " + i);
                lit = unicodeEscapes(src.substring(start, e)).stripIndent().translateEscapes();
                i = e + 2;
            } else if (c == '"') {
                int e = i + 1;
                while (e < n && src.charAt(e) != '"') e += src.charAt(e) == '\\' ? 2 : 1;
                if (e >= n) throw new IllegalArgumentException("unclosed string at " + i);
                lit = unicodeEscapes(src.substring(i + 1, e)).translateEscapes();
                i = e;
            } else if (c == '\'') {
                int e = src.indexOf('\'', i + (i + 1 < n && src.charAt(i + 1) == '\\' ? 3 : 2));
                i = e < 0 ? n : e;
                afterLiteral = plus = false;
                continue;
            } else if (c == ';') {
                out.add(cur);
                cur = new ArrayList<>();
                afterLiteral = plus = false;
                continue;
            } else if (c == '+' && afterLiteral && !plus) {
                plus = true;
                continue;
            } else if (Character.isWhitespace(c)) {
                continue;
            } else {
                afterLiteral = plus = false;
                continue;
            }
            if (afterLiteral && plus) cur.set(cur.size() - 1, cur.get(cur.size() - 1) + lit);
            else cur.add(lit);
            afterLiteral = true;
            plus = false;
        }
        if (!cur.isEmpty()) out.add(cur);
        return out;
    }

    /** Java's unicode escapes (a backslash, u, four hex digits), which the compiler reads first and String.translateEscapes rejects. */
    static String unicodeEscapes(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '\\') {
                b.append("\\\\");
                i++;
                continue;
            }
            if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == 'u') {
                int h = i + 1;
                while (h < s.length() && s.charAt(h) == 'u') h++;
                if (h + 4 <= s.length()) {
                    b.append((char) Integer.parseInt(s.substring(h, h + 4), 16));
                    i = h + 3;
                    continue;
                }
            }
            b.append(c);
        }
        return b.toString();
    }

    /**
     * The literal fragments of a message template (the text between placeholders), empty ones included at the ends; the
     * separators of a fragment's end that touches a placeholder are left out.
     */
    static String[] fragments(String template) {
        String[] f = PLACEHOLDER.split(template, -1);
        for (int k = 0; k < f.length; k++) {
            if (k > 0) f[k] = f[k].replaceFirst("^[\\s:;,()]+", "");
            if (k < f.length - 1) f[k] = f[k].replaceFirst("[\\s:;,()]+$", "");
        }
        return f;
    }

    /** Does one statement's literals hold the template's fragments in order, anchored as the class comment says? */
    static boolean holds(List<String> literals, String template) {
        String[] f = fragments(template);
        String joined = "\0" + String.join("\0", literals) + "\0";
        int at = 0;
        for (int k = 0; k < f.length; k++) {
            if (f[k].isEmpty()) continue;
            String needle = (k == 0 ? "\0" : "") + f[k] + (k == f.length - 1 ? "\0" : "");
            int hit = joined.indexOf(needle, at);
            if (hit < 0) return false;
            at = hit + needle.length() - (k == f.length - 1 ? 1 : 0);
        }
        return true;
    }

    /** The script files with a statement that holds the template (empty: not found). */
    static List<String> whereFound(Map<String, List<List<String>>> scripts, String template) {
        List<String> files = new ArrayList<>();
        scripts.forEach((file, stmts) -> { if (stmts.stream().anyMatch(s -> holds(s, template))) files.add(file); });
        return files;
    }

    static int literalChars(String template) {
        int n = 0;
        for (String f : fragments(template)) n += f.length();
        return n;
    }

    // ------------------------------------------------------------------ the real tool outputs

    /** Every line of the real failure logs, by file. */
    static Map<String, List<String>> realLogs() throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String dir : LOG_DIRS) {
            try (Stream<Path> s = Files.list(REPO.resolve(dir))) {
                for (Path p : s.filter(p -> p.toString().endsWith(".log")).sorted().toList())
                    out.put(dir.substring(dir.lastIndexOf('/') + 1) + "/" + p.getFileName(), Files.readAllLines(p));
            }
        }
        return out;
    }

    static List<String> logsWith(Map<String, List<String>> logs, String quoted) {
        List<String> files = new ArrayList<>();
        logs.forEach((file, lines) -> { if (lines.stream().anyMatch(l -> DocCommands.lineMatches(quoted, l))) files.add(file); });
        return files;
    }

    // ------------------------------------------------------------------ tests

    @Test
    void everyQuotedScriptMessageIsInTheScripts() throws Exception {
        Map<String, List<List<String>>> scripts = scriptStatements();
        List<String> problems = new ArrayList<>();
        int n = 0;
        for (Quote q : quotes()) {
            if (!q.fromScript()) continue;
            n++;
            String m = q.message();
            if (literalChars(m) < MIN_LITERAL_CHARS) problems.add(PAGE + ":" + q.line() + ": too little literal text to find: " + q.text());
            else if (whereFound(scripts, m).isEmpty())
                problems.add(PAGE + ":" + q.line() + ": no statement of scripts/*.java prints this (fragments in order: "
                        + String.join(" | ", List.of(fragments(m)).stream().filter(f -> !f.isEmpty()).toList()) + "): " + q.text());
        }
        assertEquals(List.of(), problems, "quoted script messages that drifted from the scripts; quote them as the scripts print them now");
        assertTrue(n >= 40, "the page quotes " + n + " script messages");
    }

    @Test
    void everyQuotedToolOutputIsARealOutputLine() throws Exception {
        Map<String, List<String>> logs = realLogs();
        List<String> problems = new ArrayList<>();
        for (Quote q : quotes()) {
            if (q.fromScript()) continue;
            if (q.text().strip().replace("...", "").length() < MIN_LITERAL_CHARS) problems.add(PAGE + ":" + q.line() + ": too short to be a quote: " + q.text());
            else if (logsWith(logs, q.text()).isEmpty()) problems.add(PAGE + ":" + q.line() + ": not a line of " + LOG_DIRS + "/*.log: " + q.text());
        }
        assertEquals(List.of(), problems, "quoted tool output that is not in the real logs");
    }

    @Test
    void everyRealFailureLogIsQuoted() throws Exception {
        Map<String, List<String>> logs = realLogs();
        List<Quote> tool = quotes().stream().filter(q -> !q.fromScript()).toList();
        List<String> unquoted = new ArrayList<>();
        logs.forEach((file, lines) -> {
            if (tool.stream().noneMatch(q -> lines.stream().anyMatch(l -> DocCommands.lineMatches(q.text(), l)))) unquoted.add(file);
        });
        assertEquals(List.of(), unquoted, "real failures of the runner or the build that the page does not show");
    }

    /** Each check above can fail: a quote changed by one character is no longer found. */
    @Test
    void aQuoteThatDriftsByOneCharacterIsNotFound() throws Exception {
        Map<String, List<List<String>>> scripts = scriptStatements();
        Map<String, List<String>> logs = realLogs();
        List<String> stillFound = new ArrayList<>();
        for (Quote q : quotes()) {
            String drifted = drift(q.fromScript() ? q.message() : q.text());
            boolean found = q.fromScript() ? !whereFound(scripts, drifted).isEmpty() : !logsWith(logs, drifted).isEmpty();
            if (found) stillFound.add(PAGE + ":" + q.line() + ": " + drifted);
        }
        assertEquals(List.of(), stillFound, "quotes whose check cannot fail");
    }

    /** The template with one character of its longest literal fragment changed. */
    static String drift(String template) {
        String longest = "";
        for (String f : template.split("<[^<>\\s]+>|\\.\\.\\.", -1)) if (f.strip().length() > longest.strip().length()) longest = f;
        int mid = longest.length() / 2;
        while (mid < longest.length() - 1 && !Character.isLetter(longest.charAt(mid))) mid++;
        char c = longest.charAt(mid), d = c == 'q' ? 'z' : 'q';
        String changed = longest.substring(0, mid) + d + longest.substring(mid + 1);
        int at = template.indexOf(longest);
        return template.substring(0, at) + changed + template.substring(at + longest.length());
    }

    @Test
    void theMatcherReadsJavaAsWritten() {
        String src = """
                class X {
                    // "a comment: not a message"
                    void f(String who, int n) {
                        char q = '"';
                        throw Kit.UserError.failed(who + " is at " + n + ", not at the pinned ref; "
                                + "SetupRepo does not move it", "move it with: jbang scripts/SetupRepo.java --help");
                    }
                    /* "a block comment" */ String g() { return "other statement"; }
                    String h() { return \"""
                            a text block
                            with two lines\""";
                    }
                }
                """;
        List<List<String>> st = statements(src);
        assertTrue(st.stream().anyMatch(s -> holds(s, "<who> is at <n>, not at the pinned ref; SetupRepo does not move it")), st.toString());
        assertTrue(st.stream().anyMatch(s -> holds(s, "move it with: jbang scripts/SetupRepo.java --help")));
        assertTrue(st.stream().anyMatch(s -> holds(s, "a text block\nwith two lines")));
        // anchored at both ends unless a placeholder is there
        assertFalse(st.stream().anyMatch(s -> holds(s, "is at <n>, not at the pinned ref; SetupRepo does not move it")));
        assertFalse(st.stream().anyMatch(s -> holds(s, "<who> is at <n>, not at the pinned ref; SetupRepo does not move")));
        // fragments from two statements, or out of order, are not one message
        assertFalse(st.stream().anyMatch(s -> holds(s, "<who> is at <n>other statement")));
        assertFalse(st.stream().anyMatch(s -> holds(s, "<x>not at the pinned<y> is at <z>")));
        // comments are no source of messages
        assertFalse(st.stream().anyMatch(s -> holds(s, "a comment: not a message")));
        assertFalse(st.stream().anyMatch(s -> holds(s, "a block comment")));
        assertEquals("<who> is at <n>, not at the pinned rxf; SetupRepo does not move it".length(),
                drift("<who> is at <n>, not at the pinned ref; SetupRepo does not move it").length());
    }

    @Test
    void thePageGroupsItsEntriesByStepEachWithCauseAndFix() throws Exception {
        String page = Files.readString(REPO.resolve(PAGE));
        int at = page.indexOf("\n## Steps\n");
        assertTrue(at > 0, "## Steps");
        for (String step : STEPS) {
            int k = page.indexOf("\n" + step + "\n");
            assertTrue(k > at, step + " (in this order)");
            at = k;
        }
        String steps = page.substring(page.indexOf("\n## Steps\n"), page.indexOf("\n### Validation checkpoint\n"));
        String[] entries = steps.split("\n#### ");
        List<String> problems = new ArrayList<>();
        for (int i = 1; i < entries.length; i++) {
            String e = entries[i].split("\n### ")[0], title = e.lines().findFirst().orElse("");
            if (!e.contains("**Cause:**") || !e.contains("**Fix:**")) problems.add(title + ": no **Cause:** and **Fix:**");
        }
        assertEquals(List.of(), problems);
        assertTrue(entries.length > 35, "entries: " + (entries.length - 1));
        // the ExecuTorch build and device failures users hit
        for (String topic : List.of("ANDROID_NDK", "NDK r27", "Clang 18", "__neonsme2", "libc++_shared.so", "unauthorized", "offline",
                "thermal", "low_power", "governor", "taskset", "logcat"))
            assertTrue(steps.contains(topic), "the page covers " + topic);
    }
}
