import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The generated reference pages (content/13-command-reference.md from the scripts' picocli models,
 * content/14-configuration-reference.md from configs/config.schema.json) are what the generator writes today:
 * a script or the schema that changes without the pages fails here.
 */
class ReferencePagesTest {
    static final Path REPO = TestKit.repo();

    @Test
    void theCommittedReferencePagesAreWhatTheGeneratorWrites() throws Exception {
        for (Map.Entry<String, String> e : new TreeMap<>(ReferencePages.pages(REPO)).entrySet()) {
            Path page = REPO.resolve(e.getKey());
            assertTrue(Files.isRegularFile(page), e.getKey() + " is missing: regenerate it with " + ReferencePages.REGENERATE);
            String committed = Files.readString(page), fresh = e.getValue();
            if (!committed.equals(fresh)) fail(e.getKey() + " differs from the scripts/schema (" + firstDifference(committed, fresh)
                    + "): regenerate it with " + ReferencePages.REGENERATE + " and commit the result");
        }
    }

    @Test
    void generationIsDeterministic() throws Exception {
        assertEquals(ReferencePages.pages(REPO), ReferencePages.pages(REPO));
    }

    @Test
    void theCommandReferenceCoversEveryOptionAndExitCodeOfEveryScript() throws Exception {
        String page = ReferencePages.commandReference(REPO);
        for (String name : ReferencePages.scriptNames(REPO)) {
            assertTrue(page.contains("\n### " + name + "\n"), "section for " + name);
            int at = page.indexOf("\n### " + name + "\n"), end = page.indexOf("\n### ", at + 1);
            String section = page.substring(at, end < 0 ? page.length() : end);
            var spec = ReferencePages.spec(name);
            for (var o : spec.options()) {
                if (o.hidden()) continue;
                for (String n : o.names()) assertTrue(section.contains("`" + n + "`"), name + ": option " + n + " missing");
                if (o.defaultValue() != null && !o.defaultValue().isEmpty())
                    assertTrue(section.contains("`" + o.defaultValue() + "`"), name + ": default of " + o.longestName());
            }
            for (String code : spec.usageMessage().exitCodeList().keySet())
                assertTrue(section.contains("\n| " + code.strip() + " | "), name + ": exit code " + code);
            assertTrue(section.contains("```bash\n./jbang scripts/" + name + ".java"), name + ": examples from the script's help");
        }
    }

    @Test
    void theConfigurationReferenceCoversEveryKeyOfTheSchema() throws Exception {
        String page = ReferencePages.configurationReference(REPO);
        for (String key : new String[]{"model", "output_root", "experiments[].name", "experiments[].runner_path", "experiments[].mode",
                "experiments[].runs", "experiments[].warmup", "experiments[].threads", "experiments[].extra_args", "experiments[].cpu_affinity",
                "experiments[].timeout_s", "experiments[].env", "analysis.compare_pairs", "analysis.compare_pairs[].baseline.experiment",
                "analysis.compare_pairs[].candidate.threads", "analysis.compare_pairs[].label", "device.serial", "device.remote", "device.workdir"})
            assertTrue(page.contains("\n#### `" + key + "`\n"), "key " + key);
        // every "properties" entry of the schema is a heading: count them independently of the generator's walk
        String schema = Files.readString(REPO.resolve("configs/config.schema.json"));
        long headings = page.lines().filter(l -> l.startsWith("#### `")).count();
        assertTrue(headings >= 25, "keys documented: " + headings);
        assertTrue(page.contains("- Allowed: one of `timing`, `xnntrace`"), "enum of mode");
        assertTrue(schema.contains("\"default\": 600") && page.contains("- Default: `600`"), "default of timeout_s");
    }

    static String firstDifference(String a, String b) {
        String[] x = a.split("\n", -1), y = b.split("\n", -1);
        for (int i = 0; i < Math.min(x.length, y.length); i++)
            if (!x[i].equals(y[i])) return "line " + (i + 1) + ": committed \"" + cut(x[i]) + "\", generated \"" + cut(y[i]) + "\"";
        return "line " + (Math.min(x.length, y.length) + 1) + ": one is longer";
    }

    static String cut(String s) { return s.length() > 120 ? s.substring(0, 120) + "…" : s; }
}
