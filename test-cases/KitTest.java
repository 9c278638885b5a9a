import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class KitTest {
    @TempDir Path tmp;

    @Test
    void quotesHostileWordsForAPosixShell() throws Exception {
        for (String s : List.of("plain", "with space", "it's", "a;b", "$(rm -rf /)", "new\nline", "`x`", "", "*", "\"q\"")) {
            Kit.Result r = Kit.exec(new Kit.Io(System.out, System.err, false), Kit.Cmd.of("sh", "-c", "printf %s " + Kit.shq(s)));
            assertEquals(0, r.exitCode(), s);
            assertEquals(s.isEmpty() ? "" : s, r.output().isEmpty() ? "" : r.output().substring(0, r.output().length() - 1), s);
        }
    }

    @Test
    void execTeesOutputToLogAndKeepsStderrApart() throws Exception {
        Path log = tmp.resolve("logs/all.log"), elog = tmp.resolve("logs/err.log");
        Kit.Result r = Kit.exec(new Kit.Io(System.out, System.err, false),
                Kit.Cmd.of("sh", "-c", "echo out; echo err 1>&2; exit 3").log(log).stderrLog(elog));
        assertEquals(3, r.exitCode());
        assertTrue(Files.readString(log).contains("out") && Files.readString(log).contains("err"));
        assertEquals("err\n", Files.readString(elog));
        assertEquals("out\n", r.stdout());
        assertEquals("err\n", r.stderr());
        // The same line on both streams stays on its own stream (no reconstruction from the interleaved output).
        Kit.Result same = Kit.exec(new Kit.Io(System.out, System.err, false),
                Kit.Cmd.of("sh", "-c", "echo x 1>&2; sleep 0.1; echo x; echo '{\"a\": 1}'"));
        assertEquals("x\n{\"a\": 1}\n", same.stdout());
        assertEquals("x\n", same.stderr());
    }

    @Test
    void execTimesOutAndReportsMissingPrograms() {
        Kit.Io io = new Kit.Io(System.out, System.err, false);
        Kit.Result slow = Kit.exec(io, Kit.Cmd.of("sleep", "10").timeout(Duration.ofMillis(300)));
        assertTrue(slow.timedOut());
        Kit.Result missing = Kit.exec(io, Kit.Cmd.of("definitely-not-a-program-xyz"));
        assertNotNull(missing.startError());
        assertFalse(missing.ok());
    }

    @Test
    void dryRunPrintsTheCommandAndRunsNothing() throws Exception {
        var run = TestKit.inProcess((out, err) -> {
            Kit.Io io = new Kit.Io(out, err, false);
            io.dryRun = true;
            Kit.exec(io, Kit.Cmd.of("touch", tmp.resolve("x y").toString()));
            return 0;
        });
        assertFalse(Files.exists(tmp.resolve("x y")));
        assertEquals("touch '" + tmp.resolve("x y") + "'\n", run.out());
    }

    @Test
    void atomicWriteReplacesWholeFilesAndLeavesNoTemporaries() throws Exception {
        Path f = tmp.resolve("m.json");
        Kit.writeJson(f, java.util.Map.of("a", 1));
        Kit.writeJson(f, java.util.Map.of("a", 2));
        assertEquals(2, Kit.readJson(f).get("a").asInt());
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count());
        }
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void invalidJsonNamesFileLineAndColumn() throws Exception {
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, "{\n  \"model\": \"x\",\n  oops\n}");
        Kit.UserError e = assertThrows(Kit.UserError.class, () -> Kit.readJson(f));
        assertEquals(2, e.exitCode);
        assertTrue(e.getMessage().startsWith(f + ":3:"), e.getMessage());
    }

    @Test
    void readsExecuteLatenciesOfTheRealRunnerEtdump() {
        Kit.EtdumpRuns runs = Kit.etdumpRuns(TestKit.shipped("runner-mnv1/mnv1-t1.etdump"));
        assertEquals("Default", runs.blockNames().get(0));
        assertEquals(20, runs.executeMs().size());
        runs.executeMs().forEach(ms -> assertTrue(ms > 0.5 && ms < 50, "plausible ms: " + ms));
    }

    @Test
    void readsAWrittenEtdumpExactly() throws Exception {
        Path f = tmp.resolve("x.etdump");
        Files.write(f, EtdumpWriter.delegatedModel(EtdumpWriter.mobilenetLikeOps(), 4, new double[]{2, 1, 1, 1}).finish());
        Kit.EtdumpRuns runs = Kit.etdumpRuns(f);
        assertEquals(List.of("Default", "Execute", "Execute", "Execute", "Execute"), runs.blockNames());
        // 32 operators = 1880 µs (3760 µs at scale 2), plus 10 µs of DELEGATE_CALL and Method::execute framing.
        List<Double> want = List.of(3.77, 1.89, 1.89, 1.89);
        for (int i = 0; i < want.size(); i++) assertEquals(want.get(i), runs.executeMs().get(i), 1e-9, "run " + i);
    }

    @Test
    void rejectsTruncatedAndForeignFilesWithTheByteOffset() throws Exception {
        byte[] good = EtdumpWriter.delegatedModel(EtdumpWriter.mobilenetLikeOps(), 2, null).finish();
        Path cut = tmp.resolve("cut.etdump");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length / 2));
        Kit.UserError e = assertThrows(Kit.UserError.class, () -> Kit.etdumpRuns(cut));
        assertTrue(e.getMessage().contains("byte 0: size prefix"), e.getMessage());
        Path pte = tmp.resolve("model.etdump");
        byte[] fake = new byte[64];
        System.arraycopy("ET12".getBytes(), 0, fake, 4, 4);
        Files.write(pte, fake);
        e = assertThrows(Kit.UserError.class, () -> Kit.etdumpRuns(pte));
        assertTrue(e.getMessage().contains("byte 8") && e.getMessage().contains(".pte"), e.getMessage());
    }

    @Test
    void duplicateKeysAreReportedNotSilentlyOverwritten() throws Exception {
        Path f = tmp.resolve("dup.json");
        Files.writeString(f, "{\n  \"runs\": 1,\n  \"runs\": 2\n}");
        Kit.UserError e = assertThrows(Kit.UserError.class, () -> Kit.readJson(f));
        assertTrue(e.getMessage().startsWith(f + ":3:") && e.getMessage().contains("Duplicate field 'runs'"), e.getMessage());
    }

    @picocli.CommandLine.Command(name = "Demo")
    static final class Demo implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Option(names = "--runs") int runs;

        @Override
        public Integer call() {
            if (runs < 0) throw Kit.UserError.badInput("--runs: " + runs + " is negative", "give 0 or more");
            return runs > 5 ? Kit.FAILED : Kit.OK;
        }
    }

    @Test
    void runMapsBadOptionsAndUserErrorsToOneLineMessagesAndExitCodes() {
        TestKit.Run bad = TestKit.inProcess((out, err) -> Kit.run(new Kit.Io(out, err, false), new Demo(), "--num_runs", "3"));
        assertEquals(2, bad.code());
        assertEquals("error: Unknown options: '--num_runs', '3'\nfix: see the options and examples with: jbang scripts/Demo.java --help\n", bad.err());
        TestKit.Run user = TestKit.inProcess((out, err) -> Kit.run(new Kit.Io(out, err, false), new Demo(), "--runs", "-1"));
        assertEquals(2, user.code());
        assertEquals("error: --runs: -1 is negative\nfix: give 0 or more\n", user.err());
        assertEquals(1, TestKit.inProcess((out, err) -> Kit.run(new Kit.Io(out, err, false), new Demo(), "--runs", "9")).code());
    }

    @Test
    void writeAtomicThatCannotReplaceItsTargetLeavesNoTemporaryFile() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("out/manifest.json"));
        Files.writeString(target.resolve("inside.txt"), "keep"); // a folder in the way: the rename fails after the write
        Kit.UserError e = assertThrows(Kit.UserError.class, () -> Kit.writeAtomic(target, "{}"));
        assertTrue(e.getMessage().startsWith("cannot write " + target + ": "), e.getMessage());
        try (var s = Files.list(tmp.resolve("out"))) {
            assertEquals(List.of(target), s.toList(), "a temporary file was left beside the target");
        }
        assertEquals("keep", Files.readString(target.resolve("inside.txt")));
    }

    @Test
    void theInterruptedLineResumesWithTheLauncherTheUserTyped() {
        String before = System.getProperty("sme2.launcher");
        try (Kit.RunFolder f = Kit.RunFolder.create(tmp.resolve("runs"), "m", "MacPipeline")) {
            System.setProperty("sme2.launcher", "./jbang");
            String line = new Kit.Pipeline(Kit.Io.quiet(), "MacPipeline", false).interruptedLine(f);
            assertTrue(line.startsWith("interrupted: kept 0 finished result(s) in " + f.dir + "; resume with: ./jbang "), line);
            assertTrue(line.endsWith("MacPipeline.java --resume " + Kit.shq(f.dir.toString())), line);
        } finally {
            System.setProperty("sme2.launcher", before == null ? "jbang" : before);
        }
    }

    @Test
    void aRefusedSecondWriterInTheSameProcessLeavesTheHoldersLockInPlace() throws Exception {
        Kit.RunFolder holder = Kit.RunFolder.create(tmp.resolve("runs"), "m", "MacPipeline");
        try (holder) {
            holder.save();
            Kit.UserError refused = assertThrows(Kit.UserError.class, () -> Kit.RunFolder.open(holder.dir).lock());
            assertTrue(refused.getMessage().contains("in use by another pipeline run (PID " + ProcessHandle.current().pid() + ", since "),
                    refused.getMessage());
            assertEquals("wait for that run to end (or stop it), then resume: jbang scripts/MacPipeline.java --resume " + Kit.shq(holder.dir.toString()),
                    refused.fix);
            // Closing any descriptor of .lock drops this process's POSIX lock: another process must still be refused.
            assertEquals("refused", lockFromAnotherProcess(holder.dir.resolve(Kit.RunFolder.LOCK_FILE)));
        }
        assertEquals("locked", lockFromAnotherProcess(holder.dir.resolve(Kit.RunFolder.LOCK_FILE)), "close() released the lock");
    }

    /** "locked" or "refused": what a tryLock on file says in a separate JVM. */
    private String lockFromAnotherProcess(Path file) throws Exception {
        Path src = tmp.resolve("TryLock.java");
        Files.writeString(src, "public class TryLock { public static void main(String[] a) throws Exception {"
                + " var ch = java.nio.channels.FileChannel.open(java.nio.file.Path.of(a[0]), java.nio.file.StandardOpenOption.WRITE);"
                + " System.out.print(ch.tryLock() == null ? \"refused\" : \"locked\"); } }");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), src.toString(), file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), out);
        return out;
    }

    @Test
    void aLockLeftByAKilledWriterDoesNotBlockTheNextOne() throws Exception {
        Kit.RunFolder first = Kit.RunFolder.create(tmp.resolve("runs"), "m", "MacPipeline");
        first.save();
        first.close();
        Path lockFile = first.dir.resolve(Kit.RunFolder.LOCK_FILE);
        Path src = tmp.resolve("HoldLock.java");
        Files.writeString(src, "public class HoldLock { public static void main(String[] a) throws Exception {"
                + " var ch = java.nio.channels.FileChannel.open(java.nio.file.Path.of(a[0]), java.nio.file.StandardOpenOption.WRITE);"
                + " ch.lock(); ch.truncate(0); ch.write(java.nio.ByteBuffer.wrap(\"PID 1, since then\\n\".getBytes()));"
                + " System.out.println(\"locked\"); Thread.sleep(600_000); } }");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), src.toString(), lockFile.toString())
                .redirectErrorStream(true).start();
        try {
            assertEquals("locked", new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine());
            assertThrows(Kit.UserError.class, () -> Kit.RunFolder.open(first.dir).lock(), "the live writer's lock was ignored");
        } finally {
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no close(); .lock stays behind
            assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertTrue(Files.readString(lockFile).startsWith("PID 1, since"), "the killed writer's .lock is still there");
        try (Kit.RunFolder next = Kit.RunFolder.open(first.dir).lock()) {
            assertTrue(Files.readString(lockFile).startsWith("PID " + ProcessHandle.current().pid() + ", since "), Files.readString(lockFile));
        }
    }

    @Test
    void theResumeCommandQuotesAScriptsFolderWithASpace() throws Exception {
        Path scripts = Files.createDirectories(tmp.resolve("my checkout/scripts"));
        Files.writeString(scripts.resolve("MacPipeline.java"), "");
        String before = System.getProperty("jbang.source");
        System.setProperty("jbang.source", scripts.resolve("MacPipeline.java").toString());
        try (Kit.RunFolder f = Kit.RunFolder.create(tmp.resolve("runs"), "m", "MacPipeline")) {
            String line = new Kit.Pipeline(Kit.Io.quiet(), "MacPipeline", false).interruptedLine(f);
            assertTrue(line.endsWith("; resume with: jbang " + Kit.shq(scripts.resolve("MacPipeline.java").toString()) + " --resume " + f.dir), line);
        } finally {
            if (before == null) System.clearProperty("jbang.source");
            else System.setProperty("jbang.source", before);
        }
    }
}
