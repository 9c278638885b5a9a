import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the commands that documentation shows: fenced code blocks, inline code spans, shell words with quotes and
 * backslash line continuations, and the jbang forms that start a script of this repository. JDK + Kit only (no
 * script classes), so partial test runners can compile it.
 */
public final class DocCommands {
    private DocCommands() {}

    /** A fenced code block: the line of its opening fence (1-based), its language tag, its text. */
    public record Block(Path file, int line, String lang, String text) {
        public boolean isShell() { return Set.of("bash", "sh", "shell", "console", "zsh").contains(lang); }

        public boolean isOutput() { return lang.equals("output"); }
    }

    /** An inline code span outside fenced blocks. */
    public record Span(Path file, int line, String text) {}

    /**
     * One jbang invocation of a repository script.
     * kind: "script" (a class in scripts/), "tests" (test-cases/RunTests.java, test-cases/AnalyzeBenchmark.java, test-cases/CompareBenchmark.java, test-cases/StartupBenchmark.java), "unknown" (an alias or file that is
     * no script). scriptClass is the class name, ref what the doc wrote, args the script's arguments.
     */
    public record Command(Path file, int line, String text, String kind, String ref, String scriptClass,
                          List<String> args, Block output) {
        public String where() { return file.getFileName() + ":" + line + ": " + text; }
    }

    static final Pattern FENCE = Pattern.compile("^(\\s*)(```+|~~~+)\\s*([A-Za-z0-9_+-]*)[^`]*$");

    public static List<Block> blocks(Path md) {
        List<String> lines = read(md);
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = FENCE.matcher(lines.get(i));
            if (!m.matches()) continue;
            String fence = m.group(2), lang = m.group(3).toLowerCase();
            StringBuilder text = new StringBuilder();
            int start = i;
            for (i++; i < lines.size() && !lines.get(i).strip().startsWith(fence); i++) {
                String l = lines.get(i);
                text.append(l.startsWith(m.group(1)) ? l.substring(m.group(1).length()) : l.strip()).append('\n');
            }
            out.add(new Block(md, start + 1, lang, text.toString()));
        }
        return out;
    }

    /** Inline code spans (single backticks) on lines outside fenced blocks. */
    public static List<Span> spans(Path md) {
        List<String> lines = read(md);
        List<Span> out = new ArrayList<>();
        boolean inFence = false;
        String fence = null;
        Pattern span = Pattern.compile("(?<!`)`([^`]+)`(?!`)");
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            Matcher f = FENCE.matcher(l);
            if (!inFence && f.matches()) { inFence = true; fence = f.group(2); continue; }
            if (inFence) { if (l.strip().startsWith(fence)) inFence = false; continue; }
            Matcher m = span.matcher(l);
            while (m.find()) out.add(new Span(md, i + 1, m.group(1)));
        }
        return out;
    }

    /** The logical command lines of a shell block: continuations joined, prompts and comments removed. */
    public static List<String[]> logicalLines(String text) {
        List<String[]> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        StringBuilder cur = null;
        int curStart = 0;
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (cur == null) {
                String s = l.strip();
                if (s.startsWith("$ ")) s = s.substring(2);
                if (s.isEmpty() || s.startsWith("#")) continue;
                cur = new StringBuilder();
                curStart = i;
                l = s;
            } else {
                l = l.strip();
            }
            if (l.endsWith("\\")) {
                cur.append(l, 0, l.length() - 1).append(' ');
            } else {
                cur.append(l);
                out.add(new String[]{cur.toString().strip(), String.valueOf(curStart)});
                cur = null;
            }
        }
        if (cur != null) out.add(new String[]{cur.toString().strip(), String.valueOf(curStart)});
        return out;
    }

    /** POSIX-like shell words; control operators (; && || | &) become their own words; # starts a comment. */
    public static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int j = line.indexOf('\'', i + 1);
                if (j < 0) throw new IllegalArgumentException("unclosed ' in: " + line);
                if (w == null) w = new StringBuilder();
                w.append(line, i + 1, j);
                i = j;
            } else if (c == '"') {
                if (w == null) w = new StringBuilder();
                int j = i + 1;
                for (; j < line.length() && line.charAt(j) != '"'; j++) {
                    if (line.charAt(j) == '\\' && j + 1 < line.length()) j++;
                    w.append(line.charAt(j));
                }
                if (j >= line.length()) throw new IllegalArgumentException("unclosed \" in: " + line);
                i = j;
            } else if (c == '\\' && i + 1 < line.length()) {
                if (w == null) w = new StringBuilder();
                w.append(line.charAt(++i));
            } else if (Character.isWhitespace(c)) {
                if (w != null) { out.add(w.toString()); w = null; }
            } else if (c == '#' && w == null) {
                break;
            } else if (c == ';' || c == '|' || c == '&') {
                if (w != null) { out.add(w.toString()); w = null; }
                if (i + 1 < line.length() && (line.charAt(i + 1) == c)) { out.add("" + c + c); i++; }
                else out.add(String.valueOf(c));
            } else {
                if (w == null) w = new StringBuilder();
                w.append(c);
            }
        }
        if (w != null) out.add(w.toString());
        return out;
    }

    static final Set<String> OPERATORS = Set.of(";", "&&", "||", "|", "&");
    static final Set<String> JBANG_SUBCOMMANDS = Set.of("alias", "app", "build", "cache", "catalog", "completion",
            "config", "deps", "edit", "export", "info", "init", "jdk", "template", "trust", "version", "wrapper");

    /** The script invocations in one logical line (several when commands are chained). */
    public static List<Command> parseLine(Path file, int line, String text, Block output, Map<String, String> aliases) {
        List<Command> out = new ArrayList<>();
        List<String> ws = words(text);
        List<List<String>> parts = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        for (String w : ws) {
            if (OPERATORS.contains(w)) { parts.add(cur); cur = new ArrayList<>(); } else cur.add(w);
        }
        parts.add(cur);
        for (List<String> p : parts) {
            int i = 0;
            while (i < p.size() && p.get(i).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) i++;   // VAR=value prefixes
            if (i >= p.size()) continue;
            String exe = p.get(i);
            if (!(exe.equals("jbang") || exe.equals("./jbang") || exe.endsWith("/jbang"))) continue;
            i++;
            while (i < p.size() && p.get(i).startsWith("-")) i++;              // jbang's own options (--quiet)
            if (i < p.size() && p.get(i).equals("run")) i++;
            while (i < p.size() && p.get(i).startsWith("-")) i++;
            if (i >= p.size()) continue;
            String ref = p.get(i);
            if (JBANG_SUBCOMMANDS.contains(ref)) continue;
            List<String> args = List.copyOf(p.subList(i + 1, p.size()));
            String kind, cls = null;
            if (ref.endsWith(".java")) {
                String base = ref.substring(ref.lastIndexOf('/') + 1, ref.length() - 5);
                if (ref.equals("test-cases/RunTests.java") || ref.equals("test-cases/AnalyzeBenchmark.java")
                        || ref.equals("test-cases/CompareBenchmark.java") || ref.equals("test-cases/GenerateReference.java")
                        || ref.equals("test-cases/StartupBenchmark.java")) kind = "tests";
                else if (ref.startsWith("http://") || ref.startsWith("https://")
                        ? ref.contains("/scripts/") : (ref.equals(base + ".java") || ref.equals("scripts/" + base + ".java"))) {
                    kind = "script";
                    cls = base;
                } else kind = "unknown";
            } else {
                String alias = ref.contains("@") ? ref.substring(0, ref.indexOf('@')) : ref;
                String target = aliases.get(alias);
                if (target != null && target.startsWith("scripts/") && target.endsWith(".java")) {
                    kind = "script";
                    cls = target.substring(8, target.length() - 5);
                } else kind = "unknown";
            }
            out.add(new Command(file, line, text, kind, ref, cls, args, output));
        }
        return out;
    }

    /** Every script invocation of a Markdown file: shell blocks (with the output block right after) and code spans. */
    public static List<Command> commands(Path md, Map<String, String> aliases) {
        List<Command> out = new ArrayList<>();
        List<Block> bs = blocks(md);
        for (int b = 0; b < bs.size(); b++) {
            Block blk = bs.get(b);
            if (!blk.isShell()) continue;
            Block output = null;
            if (b + 1 < bs.size() && bs.get(b + 1).isOutput() && onlyProseBetween(md, blk, bs.get(b + 1))) output = bs.get(b + 1);
            List<String[]> lines = logicalLines(blk.text());
            for (String[] l : lines) {
                int lineNo = blk.line() + 1 + Integer.parseInt(l[1]);
                // the output block belongs to the last command of the block
                Block o = (l == lines.get(lines.size() - 1)) ? output : null;
                out.addAll(parseLine(md, lineNo, l[0], o, aliases));
            }
        }
        for (Span s : spans(md)) {
            if (!s.text().matches("^(\\S+=\\S+\\s+)*(\\./)?jbang\\s.*")) continue;
            out.addAll(parseLine(md, s.line(), s.text(), null, aliases));
        }
        return out;
    }

    /** True when at most one short paragraph of prose separates a command block from an output block. */
    static boolean onlyProseBetween(Path md, Block a, Block b) {
        List<String> lines = read(md);
        int endOfA = a.line() + (int) a.text().chars().filter(ch -> ch == '\n').count() + 1;   // closing fence (1-based)
        for (int i = endOfA; i < b.line() - 1; i++) {
            String l = lines.get(i).strip();
            if (l.startsWith("#") || l.startsWith("|") || l.startsWith("!")) return false;
        }
        return true;
    }

    /** Catalog aliases of jbang-catalog.json: alias → script-ref. */
    public static Map<String, String> aliases(Path repo) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode n = Kit.readJson(repo.resolve("jbang-catalog.json")).path("aliases");
        n.properties().forEach(e -> out.put(e.getKey(), e.getValue().path("script-ref").asText()));
        return out;
    }

    /** Does one expected output line (with "..." as a wildcard) match this actual line? */
    public static boolean lineMatches(String expected, String actual) {
        String[] pieces = expected.strip().split("\\.\\.\\.|…", -1);
        String line = actual.strip();
        int at = 0;
        for (int i = 0; i < pieces.length; i++) {
            String p = pieces[i];
            if (p.isEmpty()) continue;
            boolean first = i == 0, last = i == pieces.length - 1;
            if (first && !line.startsWith(p)) return false;  // anchored at the start unless the line starts with ...
            int k = last ? line.lastIndexOf(p) : line.indexOf(p, at);
            if (k < at || last && k + p.length() != line.length()) return false;  // anchored at the end unless it ends with ...
            at = k + p.length();
        }
        return true;
    }

    /**
     * Checks an output block against what a command printed: every non-blank line that is not an elision ("..." or
     * "…" alone) must match a line of stdout or stderr, in order within each stream. Returns the problems.
     */
    public static List<String> compareOutput(String expectedBlock, String stdout, String stderr) {
        List<String> problems = new ArrayList<>();
        String[] out = stdout.split("\\R"), err = stderr.split("\\R");
        int o = 0, e = 0;
        for (String exp : expectedBlock.split("\n")) {
            String s = exp.strip();
            if (s.isEmpty() || s.equals("...") || s.equals("…")) continue;
            int hit = find(out, o, s);
            if (hit >= 0) { o = hit + 1; continue; }
            hit = find(err, e, s);
            if (hit >= 0) { e = hit + 1; continue; }
            problems.add("expected line not printed (in this order): " + s);
        }
        return problems;
    }

    static int find(String[] lines, int from, String expected) {
        for (int i = from; i < lines.length; i++) if (lineMatches(expected, lines[i])) return i;
        return -1;
    }

    static List<String> read(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Markdown link or image: group 1 "!" for an image, 2 the text (alt text), 3 the target. */
    public static final java.util.regex.Pattern LINK = java.util.regex.Pattern.compile("(!?)\\[([^\\]]*)\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

    /** Markdown without its fenced code blocks (links inside them are examples, not links). */
    public static String stripFencedBlocks(String s) {
        return s.replaceAll("(?ms)^\\s*```.*?^\\s*```\\s*$", "");
    }

    /** The image targets of a Markdown text, in order (outside code blocks). */
    public static List<String> images(String markdown) {
        List<String> out = new ArrayList<>();
        var m = LINK.matcher(stripFencedBlocks(markdown));
        while (m.find()) if (!m.group(1).isEmpty()) out.add(m.group(3));
        return out;
    }

    /** The last n lines of a text. */
    public static String tail(String s, int n) {
        String[] l = s.split("\\R");
        return String.join("\n", java.util.Arrays.asList(l).subList(Math.max(0, l.length - n), l.length));
    }
}
