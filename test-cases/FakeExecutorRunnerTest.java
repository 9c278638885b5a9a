import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fake executor_runner behaves like the real one where the pipelines look: flags, log lines, failures, ETDump. */
class FakeExecutorRunnerTest {
    @TempDir
    Path tmp;

    record Out(int code, String out, String err) {}

    static Out fake(Map<String, String> env, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8); PrintStream err = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            code = FakeExecutorRunner.run(env, out, err, args);
        }
        return new Out(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    Path model() throws Exception {
        Path m = tmp.resolve("m.pte");
        if (!Files.exists(m)) Files.copy(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"), m);
        return m;
    }

    @Test
    void helpListsTheRealFlagsAndDropsEtdumpPathWithoutTheTracer() {
        Out help = fake(Map.of(), "--help");
        assertEquals(1, help.code());
        for (String f : List.of("cpu_threads", "data_path", "etdump_path", "inputs", "method_name", "model_path", "num_executions", "output_file", "print_output"))
            assertTrue(help.out().contains("    -" + f + " ("), f);
        assertTrue(help.out().contains("-etdump_path (Write ETDump data to this path.) type: string default: \"model.etdump\""), help.out());
        Out noTracer = fake(Map.of("FAKE_RUNNER_NO_ETDUMP", "1"), "--help");
        assertFalse(noTracer.out().contains("etdump_path"));
        assertTrue(noTracer.out().contains("-model_path"));
        Out rejected = fake(Map.of("FAKE_RUNNER_NO_ETDUMP", "1"), "--model_path", "x.pte", "--etdump_path", "x.etdump");
        assertEquals(new Out(1, "", "ERROR: unknown command line flag 'etdump_path'\n"), rejected);
    }

    @Test
    void unknownFlagIsRejectedLikeGflags() throws Exception {
        // the real runner's output: fixtures/runner-errors/unknown-flag.log
        String real = Files.readString(TestKit.shipped("runner-errors/unknown-flag.log")).lines().findFirst().orElseThrow();
        Out r = fake(Map.of(), "--model_path", model().toString(), "--num_runs", "3");
        assertEquals(1, r.code());
        assertEquals(real + "\n", r.err());
        assertEquals("ERROR: illegal value 'x' specified for uint32 flag 'num_executions'\n", fake(Map.of(), "--num_executions=x").err());
    }

    @Test
    void writesAnEtdumpWithOneExecuteBlockPerExecutionAndLogsLikeTheRealRunner() throws Exception {
        Path etdump = tmp.resolve("out.etdump");
        Out r = fake(Map.of(), "--model_path=" + model(), "-num_executions", "4", "--cpu_threads=1", "--etdump_path", etdump.toString());
        assertEquals(0, r.code(), r.err());
        Kit.EtdumpRuns runs = Kit.etdumpRuns(etdump);
        assertEquals(List.of("Default", "Execute", "Execute", "Execute", "Execute"), runs.blockNames());
        String[] lines = r.err().split("\n");
        Pattern logLine = Pattern.compile("I \\d\\d:\\d\\d:\\d\\d\\.\\d{6} executorch:[a-z_]+\\.cpp:\\d+\\] .*");
        for (String l : lines) assertTrue(logLine.matcher(l).matches(), l);
        assertTrue(r.err().contains("executor_runner.cpp:374] Model file " + model() + " is loaded.\n"));
        Pattern it = Pattern.compile("Iteration (\\d) of 4: ([0-9.]+) ms");
        Matcher m = it.matcher(r.err());
        double sum = 0;
        for (int i = 0; i < 4; i++) {
            assertTrue(m.find());
            assertEquals(String.valueOf(i + 1), m.group(1));
            assertEquals(runs.executeMs().get(i) + 0.002, Double.parseDouble(m.group(2)), 1e-6);
            sum += Double.parseDouble(m.group(2));
        }
        Kit.RunnerOutput parsed = Kit.RunnerOutput.parse(r.out() + r.err());
        assertEquals(4, parsed.executions());
        assertEquals(sum, parsed.reportedMs(), 1e-5);
        assertFalse(parsed.nan());
        assertTrue(r.out().startsWith("OutputX 0: tensor(sizes=[1, 1000], [\n"), r.out());
        assertTrue(r.err().endsWith("executor_runner.cpp:157] ETDump written to file '" + etdump + "'.\n"));
    }

    @Test
    void sme2OnIsFasterThanSme2OffAndThreadsHelp() throws Exception {
        double off = median(Map.of("FAKE_RUNNER_VARIANT", "sme2-off"), 1), on = median(Map.of("FAKE_RUNNER_VARIANT", "sme2-on"), 1);
        assertTrue(on < off * 0.6, on + " vs " + off);
        assertTrue(median(Map.of("FAKE_RUNNER_VARIANT", "sme2-off"), 2) < off);
    }

    double median(Map<String, String> env, int threads) throws Exception {
        Path etdump = tmp.resolve("m" + env.hashCode() + threads + ".etdump");
        assertEquals(0, fake(env, "--model_path", model().toString(), "--num_executions", "5", "--cpu_threads", "" + threads, "--etdump_path", etdump.toString()).code());
        return Kit.etdumpRuns(etdump).executeMs().stream().sorted().toList().get(2);
    }

    @Test
    void failsLikeTheRealRunner() throws Exception {
        Out missing = fake(Map.of(), "--model_path", "does-not-exist.pte", "--num_executions", "1", "--etdump_path", "out1.etdump");
        assertEquals(134, missing.code());
        assertTrue(missing.err().endsWith("] In function main(), assert failed (file_loader.ok()): FileDataLoader::from() failed: 0x22\n"), missing.err());
        assertTrue(Kit.RunnerOutput.parse(missing.err()).why().startsWith("Failed to open does-not-exist.pte: No such file or directory (2) | In function main()"));

        Path notProgram = Files.writeString(tmp.resolve("not-a-program.pte"), "hello, this is text");
        Out parse = fake(Map.of(), "--model_path", notProgram.toString());
        assertEquals(1, parse.code());
        assertTrue(parse.err().contains("Program identifier 'o, t' != expected 'ET12'"), parse.err());
        assertTrue(parse.err().endsWith("executor_runner.cpp:371] Failed to parse model file " + notProgram + "\n"));
        Out empty = fake(Map.of(), "--model_path", Files.write(tmp.resolve("empty.pte"), new byte[0]).toString());
        assertTrue(empty.err().contains("offset 0 + size 64 > file_size_ 0, or overflow detected"));

        Out etdump = fake(Map.of(), "--model_path", model().toString(), "--num_executions", "2", "--etdump_path", "/nonexistent-dir/x.etdump");
        assertEquals(134, etdump.code());
        assertTrue(etdump.err().contains("Iteration 2 of 2: "));
        assertTrue(Pattern.compile("\\] Failed to open ETDump file at /nonexistent-dir/x.etdump.\nF \\S+ executorch:executor_runner.cpp:612\\] "
                + "In function main\\(\\), assert failed \\(status == Error::Ok\\): Failed to save ETDump file.\n$").matcher(etdump.err()).find(), etdump.err());
    }

    @Test
    void modesCrashExitNanNoEtdumpShort() throws Exception {
        Path e = tmp.resolve("x.etdump");
        String[] args = {"--model_path", model().toString(), "--num_executions", "3", "--etdump_path", e.toString()};
        assertEquals(139, fake(Map.of("FAKE_RUNNER_MODE", "crash"), args).code());
        Out exit3 = fake(Map.of("FAKE_RUNNER_MODE", "exit3"), args);
        assertEquals(3, exit3.code());
        assertEquals("Execution of method forward failed with status 0x1 | Execution of method forward failed with status 0x1",
                Kit.RunnerOutput.parse(exit3.err()).why());
        Out nan = fake(Map.of("FAKE_RUNNER_MODE", "nan"), args);
        assertEquals(0, nan.code());
        assertTrue(Kit.RunnerOutput.parse(nan.out() + nan.err()).nan());
        Files.deleteIfExists(e);
        assertEquals(0, fake(Map.of("FAKE_RUNNER_MODE", "noetdump"), args).code());
        assertFalse(Files.exists(e));
        assertEquals(0, fake(Map.of("FAKE_RUNNER_MODE", "short"), args).code());
        assertEquals(2, Kit.etdumpRuns(e).executeMs().size());
    }

    @Test
    void kernelLoggingFlavourPrintsXnnpackNotesOnStderr() throws Exception {
        Out on = fake(Map.of("FAKE_RUNNER_XNNLOG", "1", "FAKE_RUNNER_VARIANT", "sme2-on"), "--model_path", model().toString(), "--etdump_path", tmp.resolve("k.etdump").toString());
        assertTrue(on.err().contains("Note (XNNPACK): Using gemm microkernel 'xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2'. (init_pf32_gemm_config, "
                + "executorch/backends/xnnpack/third-party/XNNPACK/src/configs/gemm-config.c:1015)\n"), on.err());
        assertTrue(Kit.RunnerOutput.parse(on.err()).kernelLog());
        Out off = fake(Map.of("FAKE_RUNNER_XNNLOG", "1"), "--model_path", model().toString(), "--etdump_path", tmp.resolve("k.etdump").toString());
        assertFalse(off.err().contains("sme2"));
        assertTrue(off.err().contains("microkernel 'xnn_f32_gemm_minmax_ukernel_6x8__aarch64_neonfma_lane_ld128'"));
        assertFalse(fake(Map.of(), "--model_path", model().toString(), "--etdump_path", tmp.resolve("k.etdump").toString()).err().contains("XNNPACK"));
    }

    @Test
    void wrapperRunsTheFakeAsAProcess() throws Exception {
        Path runner = FakeExecutorRunner.install(tmp.resolve("bin"), "executor_runner", Map.of("FAKE_RUNNER_VARIANT", "sme2-on", "FAKE_RUNNER_MODE", "exit3"));
        Path etdump = tmp.resolve("w.etdump");
        TestKit.Run r = TestKit.process(tmp, new HashMap<>(), List.of(), Duration.ofSeconds(60), runner.toString(),
                "--model_path", model().toString(), "--num_executions", "2", "--etdump_path", etdump.toString());
        assertEquals(3, r.code(), r.toString());
        Path plain = FakeExecutorRunner.install(tmp.resolve("bin3"), "executor_runner", Map.of());
        TestKit.Run viaEnv = TestKit.process(tmp, Map.of("FAKE_RUNNER_MODE", "crash"), List.of(), Duration.ofSeconds(60), plain.toString(),
                "--model_path", model().toString(), "--num_executions", "2", "--etdump_path", etdump.toString());
        assertEquals(139, viaEnv.code(), "the caller's environment (a config's env) reaches the fake");
    }
}
