///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../scripts/*.java
//SOURCES support/ReferencePages.java
//MAIN GenerateReference

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Regenerates the reference pages of the Learning Path from the scripts' picocli models and configs/config.schema.json:
 * `./jbang test-cases/GenerateReference.java` from the repository folder (or with the repository folder as argument).
 * ReferencePagesTest fails when the committed pages differ from what this writes.
 */
public class GenerateReference {
    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        if (!Files.isRegularFile(repo.resolve("configs/config.schema.json")) || !Files.isDirectory(repo.resolve("content"))) {
            System.err.println("error: " + repo + " is not the repository folder (no configs/config.schema.json or content/)");
            System.err.println("fix: run ./jbang test-cases/GenerateReference.java from the repository folder");
            System.exit(2);
        }
        for (Map.Entry<String, String> e : new TreeMap<>(ReferencePages.pages(repo)).entrySet()) {
            Path page = repo.resolve(e.getKey());
            boolean same = Files.isRegularFile(page) && Files.readString(page).equals(e.getValue());
            if (!same) {
                Path tmp = page.resolveSibling(page.getFileName() + ".tmp");
                Files.writeString(tmp, e.getValue());
                Files.move(tmp, page, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            System.out.println((same ? "unchanged " : "written   ") + e.getKey());
        }
    }
}
