///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../scripts/*.java
//SOURCES support/SamlikeDemoRun.java
//MAIN GenerateSamlikeDemo

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes test-cases/fixtures/demo-run-samlike/ from the real SAM-like encoder runs in ../shared/fixtures/runner-samlike/
 * (or the folder given as argument): `./jbang test-cases/GenerateSamlikeDemo.java` from the repository folder.
 * SamlikeDemoRunTest fails when the committed folder differs from what this writes.
 */
public class GenerateSamlikeDemo {
    public static void main(String[] args) throws Exception {
        Path repo = Path.of(".").toAbsolutePath().normalize();
        Path src = (args.length > 0 ? Path.of(args[0]) : repo.resolve("../shared/fixtures/runner-samlike")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(src.resolve("samlike-t1.etdump"))) {
            System.err.println("error: " + src + " has no samlike-t1.etdump (not the runner-samlike fixtures)");
            System.err.println("fix: pass the runner-samlike folder: ./jbang test-cases/GenerateSamlikeDemo.java PATH/runner-samlike");
            System.exit(2);
        }
        Path out = repo.resolve("test-cases/fixtures/demo-run-samlike");
        SamlikeDemoRun.build(src, out);
        System.out.println("written   " + repo.relativize(out));
        // its analysis: the CSVs of AnalyzeResults that hold no path or time stamp (the case-study page quotes them)
        Path tmp = Files.createTempDirectory("samlike-report"), report = repo.resolve("test-cases/fixtures/demo-run-samlike-report");
        int code = AnalyzeResults.run(System.out, System.err, "--run-dir", out.toString(), "--out", tmp.toString());
        if (code != 0) System.exit(code);
        Files.createDirectories(report);
        for (String f : java.util.List.of("categories.csv", "operators.csv", "comparison.csv", "cold_start.csv"))
            Files.copy(tmp.resolve(f), report.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (var walk = Files.walk(tmp)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        System.out.println("written   " + repo.relativize(report));
    }
}
