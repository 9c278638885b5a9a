import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The two generated reference pages of the Learning Path: {@code content/13-command-reference.md} from every script's
 * picocli model, {@code content/14-configuration-reference.md} from {@code configs/config.schema.json} (with example
 * values from {@code configs/examples/}). Pure functions of the repository's files: the same input gives the same
 * bytes, so {@code ReferencePagesTest} can compare them with the committed pages. Written by
 * {@code ./jbang test-cases/GenerateReference.java}.
 */
public final class ReferencePages {
    public static final String COMMAND_PAGE = "content/13-command-reference.md";
    public static final String CONFIG_PAGE = "content/14-configuration-reference.md";
    public static final String REGENERATE = "./jbang test-cases/GenerateReference.java";

    private ReferencePages() {}

    /** Page path (relative to the repository) → generated text. */
    public static Map<String, String> pages(Path repo) throws IOException {
        return Map.of(COMMAND_PAGE, commandReference(repo), CONFIG_PAGE, configurationReference(repo));
    }

    // ================================================================== command reference

    /** The scripts in scripts/ (without the helper), sorted by name. */
    static List<String> scriptNames(Path repo) throws IOException {
        try (Stream<Path> s = Files.list(repo.resolve("scripts"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".java") && !n.equals("Kit.java"))
                    .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
        }
    }

    /** The script's picocli model, built from its command class as the script builds it (constructed with a Kit.Io). */
    static CommandSpec spec(String scriptClass) {
        try {
            Constructor<?> k = Class.forName(scriptClass).getDeclaredConstructor(Kit.Io.class);
            k.setAccessible(true);
            PrintStream nul = new PrintStream(PrintStream.nullOutputStream());
            return new CommandLine(k.newInstance(new Kit.Io(nul, nul, false))).getCommandSpec();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build the picocli model of " + scriptClass + ": " + e, e);
        }
    }

    public static String commandReference(Path repo) throws IOException {
        List<String> names = scriptNames(repo);
        StringBuilder b = new StringBuilder();
        b.append("""
                ---
                title: Look up every script's options, defaults, and exit codes
                weight: 14
                description: Find the synopsis, options with their defaults, positional parameters, exit codes, and examples of each script of the toolkit, generated from the scripts themselves.
                layout: learningpathall
                ---

                ## Quick summary

                | | |
                |---|---|
                | What you will do | Look up how to call a script: its options, their defaults, its exit codes, and examples. |
                | Time | As long as you need: this page is a reference |
                | Prerequisites | A clone of the repository and Java 17 or later, as in the quick start |
                | The one command | `./jbang scripts/AnalyzeResults.java --help` |

                ## How this page is made

                This page is generated from the scripts' own command-line definitions (their picocli models) by `%s`. A test of the repository regenerates it and fails when a script and this page disagree, so what you read here is what the scripts accept. Every script prints the same information, in a terminal layout, with `--help`.

                All scripts follow the same conventions:

                - `--json` prints machine-readable results on stdout, and progress goes to stderr.
                - `--dry-run` prints what the script would run, read, or write, and changes nothing.
                - The exit code is 0 when the step succeeded, 1 when a check, build, or run failed, and 2 for bad input or usage. Error messages name the file or field, what is wrong, and a line that starts with `fix:`.
                - You run a script from a clone with the launcher beside it, for example `./jbang scripts/ValidateSetup.java --help`, with an installed JBang as `jbang scripts/ValidateSetup.java --help`, or by its alias from `jbang-catalog.json`.

                ## Steps

                ### Find the script for your task

                | Script | What it does |
                |---|---|
                """.formatted(REGENERATE));
        List<CommandSpec> specs = new ArrayList<>();
        for (String n : names) {
            CommandSpec s = spec(n);
            specs.add(s);
            b.append("| [").append(n).append("](#").append(n.toLowerCase()).append(") | ").append(cell(firstSentence(description(s)))).append(" |\n");
        }
        for (int i = 0; i < names.size(); i++) appendScript(b, names.get(i), specs.get(i));
        b.append("""
                ### Validation checkpoint

                Compare a script's help with its section on this page, for example for `ValidateResults`:

                ```bash
                ./jbang scripts/ValidateResults.java --help
                ```

                The help starts with the synopsis and ends with the examples:

                ```output
                Usage: ValidateResults ...
                ...
                Exit codes:
                ...
                Examples:
                ...
                ```

                ## Troubleshooting

                | Symptom | Cause | Fix |
                |---|---|---|
                | `error: Unknown option` and exit code 2 | The option is misspelled, or belongs to another script | Check the option in the script's table above or with `--help` |
                | `error: Missing required parameter` | A positional parameter, such as the config file of a pipeline, is missing | Add it in the position the synopsis shows |
                | A page option is not accepted by your copy of a script | Your copy of the script is older or newer than this page | Update the clone, or read the script's own `--help` |

                ## Learn more

                - [picocli documentation](https://picocli.info/) describes the option syntax the scripts use, such as `--option=value` and repeated options.
                - [JBang documentation](https://www.jbang.dev/documentation/) explains how scripts, aliases, and catalogs run.

                ## What you've learned and what's next

                You have a reference for every script: what it does, the options it takes with their defaults, and what its exit codes mean. Next, look up the keys of the configuration file the pipelines read.
                """);
        return b.toString();
    }

    private static void appendScript(StringBuilder b, String name, CommandSpec s) {
        b.append("\n### ").append(name).append("\n\n");
        b.append("`scripts/").append(name).append(".java`: ").append(descriptionMarkdown(s)).append("\n\n");
        b.append("Synopsis:\n\n```text\n").append(new CommandLine.Help(s, CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF)).synopsis(0).stripTrailing())
                .append("\n```\n\n");
        List<PositionalParamSpec> positionals = s.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!positionals.isEmpty()) {
            b.append("| Positional parameter | Default | Description |\n|---|---|---|\n");
            for (PositionalParamSpec p : positionals)
                b.append("| `").append(p.paramLabel()).append("` | ").append(cell(defaultOf(p.defaultValue()))).append(" | ").append(cell(text(p.description(), p.defaultValue()))).append(" |\n");
            b.append('\n');
        }
        b.append("| Option | Value | Default | Description |\n|---|---|---|---|\n");
        for (OptionSpec o : s.options()) {
            if (o.hidden()) continue;
            String names = String.join(", ", List.of(o.names()).stream().map(n -> "`" + n + "`").toList());
            String value = o.typeInfo().isBoolean() && o.arity().max() == 0 ? "flag" : "`" + o.paramLabel() + "`" + (o.arity().max() > 1 ? " (" + o.arity() + ")" : "");
            if (o.isMultiValue()) value += ", repeatable";
            b.append("| ").append(names).append(" | ").append(value).append(" | ").append(value.equals("flag") ? "off" : cell(defaultOf(o.defaultValue())))
                    .append(" | ").append(cell(text(o.description(), o.defaultValue()))).append(" |\n");
        }
        Map<String, String> codes = s.usageMessage().exitCodeList();
        if (!codes.isEmpty()) {
            b.append("\n| Exit code | Meaning |\n|---|---|\n");
            codes.forEach((code, meaning) -> b.append("| ").append(code.strip()).append(" | ").append(cell(unformat(meaning))).append(" |\n"));
        }
        appendExamples(b, s.usageMessage().footer());
    }

    /**
     * The footer's examples as a shell block (so that the documentation tests parse each one against the script): a
     * command line and its continuations stay as they are; a "(remark)" line or suffix becomes a # comment; any other
     * text line becomes prose after the block.
     */
    private static void appendExamples(StringBuilder b, String[] footer) {
        List<String> shell = new ArrayList<>(), prose = new ArrayList<>();
        boolean continued = false;
        for (String raw : footer) {
            String line = unformat(raw).stripTrailing();
            String t = line.strip();
            if (t.isEmpty()) continue;
            if (continued || t.matches("([A-Z_][A-Z0-9_]*=\\S*\\s+)*jbang\\s.*")) {
                String cmd = t, remark = null;
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(.*?\\S)\\s{2,}\\((.*)\\)$").matcher(t);
                if (m.matches()) { cmd = m.group(1); remark = m.group(2); }
                int hash = cmd.indexOf("  # ");
                if (hash > 0) { remark = cmd.substring(hash + 4).strip(); cmd = cmd.substring(0, hash).stripTrailing(); }
                if (!continued && cmd.startsWith("jbang ")) cmd = "./" + cmd;
                else if (!continued) cmd = cmd.replaceFirst("(\\s)jbang\\s", "$1./jbang ");
                shell.add((continued ? "    " : "") + cmd + (remark == null ? "" : "  # " + remark));
                continued = cmd.endsWith("\\");
            } else if (t.matches("\\(.*\\)") && !shell.isEmpty()) {
                shell.set(shell.size() - 1, shell.get(shell.size() - 1) + "  # " + t.substring(1, t.length() - 1));
            } else {
                prose.add(t);
            }
        }
        if (shell.isEmpty() && prose.isEmpty()) return;
        b.append("\nExamples:\n\n");
        if (!shell.isEmpty()) b.append("```bash\n").append(String.join("\n", shell)).append("\n```\n");
        if (!prose.isEmpty()) b.append("\n").append(md(String.join(" ", prose))).append("\n");
    }

    static String description(CommandSpec s) {
        List<String> paras = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String l : s.usageMessage().description()) {
            String t = unformat(l).strip();
            if (t.isEmpty()) { if (cur.length() > 0) { paras.add(cur.toString()); cur.setLength(0); } continue; }
            if (cur.length() > 0) cur.append(' ');
            cur.append(t);
        }
        if (cur.length() > 0) paras.add(cur.toString());
        return String.join(" ", paras);
    }

    /**
     * The description as the help shows it: its lines joined into paragraphs, except indented lines (the help's
     * aligned lists of variants, stages or files), which stay as they are in a text block.
     */
    static String descriptionMarkdown(CommandSpec s) {
        List<String> parts = new ArrayList<>(), prose = new ArrayList<>(), block = new ArrayList<>();
        for (String l : s.usageMessage().description()) {
            String line = l.replace("%n", "").replace("%%", "%").stripTrailing();
            boolean indented = line.startsWith("  ");
            if (!indented && !block.isEmpty()) { parts.add("```text\n" + String.join("\n", block) + "\n```"); block.clear(); }
            if ((indented || line.isBlank()) && !prose.isEmpty()) { parts.add(md(String.join(" ", prose))); prose.clear(); }
            if (indented) block.add(line.substring(2));
            else if (!line.isBlank()) prose.add(line.strip());
        }
        if (!block.isEmpty()) parts.add("```text\n" + String.join("\n", block) + "\n```");
        if (!prose.isEmpty()) parts.add(md(String.join(" ", prose)));
        return String.join("\n\n", parts);
    }

    static String firstSentence(String s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(.+?[.:])(\\s|$)").matcher(s);
        return m.find() ? m.group(1).replaceFirst(":$", ".") : s;
    }

    /** A description with picocli's variables and format specifiers resolved. */
    static String text(String[] description, String defaultValue) {
        String s = unformat(String.join(" ", description));
        return s.replace("${DEFAULT-VALUE}", defaultValue == null ? "none" : defaultValue);
    }

    /** picocli help text is a format string: %n is a line break, %% a percent sign. */
    static String unformat(String s) { return s.replace("%n", " ").replace("%%", "%").strip(); }

    static String defaultOf(String v) { return v == null ? "none" : v.isEmpty() ? "empty" : "`" + v + "`"; }

    /** Text for a Markdown table cell: no raw HTML, no emphasis, no column breaks. Code spans pass through. */
    static String cell(String s) { return md(s).replace("|", "\\|"); }

    /** Text for Markdown prose: angle brackets, asterisks, underscores at word edges and backslashes are shown as they are. */
    static String md(String s) {
        StringBuilder b = new StringBuilder();
        boolean code = false;
        for (char c : s.toCharArray()) {
            if (c == '`') code = !code;
            if (!code) {
                switch (c) {
                    case '<' -> { b.append("&lt;"); continue; }
                    case '>' -> { b.append("&gt;"); continue; }
                    case '*', '\\', '[', ']' -> b.append('\\');
                    default -> {}
                }
            }
            b.append(c);
        }
        return b.toString();
    }

    // ================================================================== configuration reference

    public static String configurationReference(Path repo) throws IOException {
        JsonNode schema = Kit.readJson(repo.resolve("configs/config.schema.json"));
        List<JsonNode> examples = new ArrayList<>();
        for (String dir : List.of("configs/examples", "configs/templates")) {
            if (!Files.isDirectory(repo.resolve(dir))) continue;
            try (Stream<Path> s = Files.list(repo.resolve(dir))) {
                for (Path p : s.filter(p -> p.toString().endsWith(".json")).sorted().toList()) examples.add(Kit.readJson(p));
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("""
                ---
                title: Look up every key of the pipeline configuration file
                weight: 15
                description: Find the JSON path, type, default, allowed values, and an example of each key of the config files that MacPipeline and AndroidPipeline read, generated from the JSON schema.
                layout: learningpathall
                ---

                ## Quick summary

                | | |
                |---|---|
                | What you will do | Look up what a key of a pipeline config means, which values it takes, and what happens when you leave it out. |
                | Time | As long as you need: this page is a reference |
                | Prerequisites | A config file, for example one copied from `configs/templates/mac_template.json` |
                | The one command | `./jbang scripts/ValidateSetup.java --stage run --config configs/examples/mac_mobilenet_fp16.json` |

                ## How this page is made

                This page is generated from `configs/config.schema.json` by `%s`, with example values taken from the configs in `configs/examples/` and `configs/templates/`. A test of the repository regenerates it and fails when the schema and this page disagree. Point your editor at the schema with the `$schema` key to get completion and checks while you edit.

                %s

                JSON paths on this page use `[]` for "every element of the array", so `experiments[].threads` is the `threads` key of each experiment.

                ## Steps

                ### Read the keys

                """.formatted(REGENERATE, md(schema.path("description").asText())));
        walk(b, schema, schema, "", schema.path("required"), examples);
        b.append("""
                ### Validation checkpoint

                Validate a config against these rules before a run. The loader reports every problem with its JSON path and a fix:

                ```bash
                ./jbang scripts/ValidateSetup.java --stage run --config configs/examples/mac_mobilenet_fp16.json
                ```

                Preview what a pipeline would run with this config, without running anything (before the export and the build, it lists what is still missing, each with its fix):

                ```bash
                ./jbang scripts/MacPipeline.java configs/examples/mac_mobilenet_fp16.json --dry-run
                ```

                To see how `experiments[].threads` and `analysis.compare_pairs` turn into results, preview the analysis of the run folder that ships with the repository. Its `config.json` has two experiments, one of them with two thread counts, and one comparison with a `label`:

                ```bash
                ./jbang scripts/AnalyzeResults.java --run-dir test-cases/fixtures/demo-run --out out/config-check --dry-run
                ```

                Each experiment and thread count becomes one result, and each compare pair one comparison:

                ```output
                experiment host_fp32/t1
                experiment host_fp32/t2
                experiment host_fp32_xnnlog/t1
                compare    host_fp32/t1 -> host_fp32/t2 ...
                ```

                ## Troubleshooting

                | Symptom | Cause | Fix |
                |---|---|---|
                | The loader reports an unknown key | A misspelled key, or a key of the Python kit that this toolkit does not accept | Compare the key with this page; every object rejects keys it does not list |
                | The model or a runner is not found | Relative paths resolve against the folder of the config file, not the current folder | Write the path relative to the config file, or start it with `~/` |
                | `extra_args` is rejected | It sets an option the pipeline sets itself | Use `runs`, `warmup`, `threads`, or `model` instead |

                ## Learn more

                - [JSON Schema](https://json-schema.org/understanding-json-schema/) explains the keywords of `configs/config.schema.json`.
                - The templates `configs/templates/mac_template.json` and `configs/templates/android_template.json` are the starting point for your own config.

                ## What you've learned and what's next

                You can now read and write every key of a pipeline config and know its default. Next, read the answers to the questions first-time readers ask most.
                """);
        return b.toString();
    }

    /** One entry per property of an object schema, depth first in schema order; array items get "[]". */
    private static void walk(StringBuilder b, JsonNode root, JsonNode node, String prefix, JsonNode required, List<JsonNode> examples) {
        Iterator<Map.Entry<String, JsonNode>> it = node.path("properties").properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode raw = e.getValue(), p = resolve(root, raw);
            boolean req = false;
            for (JsonNode r : required) req |= r.asText().equals(e.getKey());
            b.append("#### `").append(path).append("`\n\n");
            b.append("- Type: ").append(type(root, p)).append("\n");
            b.append("- Required: ").append(req ? "yes" : "no").append("\n");
            b.append("- Default: ").append(p.has("default") ? "`" + p.get("default") + "`" : "none").append("\n");
            String allowed = allowed(root, p);
            if (!allowed.isEmpty()) b.append("- Allowed: ").append(allowed).append("\n");
            JsonNode items = resolve(root, p.path("items"));
            boolean nested = p.has("properties") || items.has("properties");
            JsonNode ex = nested ? null : example(examples, path);
            if (ex != null) b.append("- Example: `").append(ex).append("`\n");
            String d = raw.has("description") ? raw.get("description").asText() : p.path("description").asText();
            if (!d.isBlank()) b.append("\n").append(md(d)).append("\n");
            b.append("\n");
            if (p.has("properties")) walk(b, root, p, path, p.path("required"), examples);
            else if (items.has("properties")) walk(b, root, items, path + "[]", items.path("required"), examples);
        }
    }

    static JsonNode resolve(JsonNode root, JsonNode n) {
        if (n == null || !n.has("$ref")) return n;
        String ref = n.get("$ref").asText();
        if (!ref.startsWith("#/")) throw new IllegalStateException("only local $ref are supported: " + ref);
        return root.at(ref.substring(1));
    }

    static String type(JsonNode root, JsonNode p) {
        if (p.has("enum")) return "string";
        String t = p.path("type").asText("any");
        if (t.equals("array")) {
            JsonNode items = resolve(root, p.path("items"));
            return items.has("properties") ? "array of objects" : "array of " + type(root, items) + " values";
        }
        if (t.equals("object") && p.path("additionalProperties").isObject()) return "object of " + p.path("additionalProperties").path("type").asText("any") + " values";
        return t;
    }

    static String allowed(JsonNode root, JsonNode p) {
        List<String> a = new ArrayList<>();
        if (p.has("enum")) {
            List<String> v = new ArrayList<>();
            p.get("enum").forEach(x -> v.add("`" + x.asText() + "`"));
            a.add("one of " + String.join(", ", v));
        }
        if (p.has("minimum")) a.add("at least " + p.get("minimum").asText());
        if (p.has("maximum")) a.add("at most " + p.get("maximum").asText());
        if (p.has("minLength")) a.add("at least " + p.get("minLength").asText() + " character" + (p.get("minLength").asInt() == 1 ? "" : "s"));
        if (p.has("pattern")) a.add("matches `" + p.get("pattern").asText() + "`");
        if (p.path("not").has("const")) a.add("not `" + p.get("not").get("const").asText() + "`");
        if (p.path("not").has("pattern")) a.add("must not match `" + p.get("not").get("pattern").asText() + "`");
        if (p.has("minItems")) a.add("at least " + p.get("minItems").asText() + " item" + (p.get("minItems").asInt() == 1 ? "" : "s"));
        if (p.path("uniqueItems").asBoolean()) a.add("no duplicates");
        if (p.path("propertyNames").has("pattern")) a.add("names match `" + p.get("propertyNames").get("pattern").asText() + "`");
        JsonNode items = resolve(root, p.path("items"));
        if (items != null && !items.isMissingNode() && !items.has("properties")) {
            String inner = allowed(root, items);
            if (!inner.isEmpty()) a.add("each item: " + inner);
        }
        return String.join("; ", a);
    }

    /** The first value at path ("[]" = first element) in the example configs, in file order. */
    static JsonNode example(List<JsonNode> configs, String path) {
        for (JsonNode c : configs) {
            JsonNode n = c;
            for (String part : path.split("\\.")) {
                boolean each = part.endsWith("[]");
                n = n.path(each ? part.substring(0, part.length() - 2) : part);
                if (each) n = n.path(0);
            }
            if (!n.isMissingNode() && !n.isNull()) return n;
        }
        return null;
    }
}
