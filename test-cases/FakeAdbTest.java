import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fake adb of test-cases/support/FakeAdb.java behaves like adb and a device where the pipeline depends on it. */
class FakeAdbTest {
    @TempDir
    Path tmp;
    FakeAdb fake;

    @BeforeEach
    void install() { fake = FakeAdb.install(tmp.resolve("adb")); }

    TestKit.Run adb(String... args) {
        List<String> argv = new ArrayList<>(List.of(fake.adb.toString()));
        argv.addAll(List.of(args));
        return TestKit.process(tmp, Map.of(), List.of(), Duration.ofSeconds(60), argv.toArray(String[]::new));
    }

    @Test
    void devicesSerialSelectionAndConnect() {
        TestKit.Run l = adb("devices", "-l");
        assertEquals("List of devices attached\nFAKE0001               device usb:1-1 product:fake_sme2 model:Fake_SME2_Phone device:fake_sme2 transport_id:1\n\n", l.out());
        assertEquals("List of devices attached\nFAKE0001\tdevice\n\n", adb("devices").out());
        assertEquals("device\n", adb("-s", "FAKE0001", "get-state").out());
        TestKit.Run missing = adb("-s", "OTHER", "shell", "true");
        assertEquals(1, missing.code());
        assertEquals("adb: device 'OTHER' not found\n", missing.err());

        fake.devices("A device", "B device", "C offline");
        TestKit.Run two = adb("shell", "true");
        assertEquals(1, two.code());
        assertEquals("adb: more than one device/emulator\n", two.err());
        assertEquals("error: device offline\n", adb("-s", "C", "shell", "true").err());

        assertEquals("failed to connect to '10.0.0.9:5555': Connection refused\n", adb("connect", "10.0.0.9:5555").out());
        fake.connectable("10.0.0.9:5555");
        assertEquals("connected to 10.0.0.9:5555\n", adb("connect", "10.0.0.9:5555").out());
        assertEquals("already connected to 10.0.0.9:5555\n", adb("connect", "10.0.0.9:5555").out());
        assertEquals("device\n", adb("-s", "10.0.0.9:5555", "get-state").out());
        assertEquals(List.of("connect", "10.0.0.9:5555"), fake.calls().get(fake.calls().size() - 2));
    }

    @Test
    void pushShellPullUseTheDeviceFolderAndShellQuotingIsReal() throws Exception {
        Path local = Files.writeString(tmp.resolve("a b.txt"), "hello");
        TestKit.Run push = adb("push", local.toString(), "/data/local/tmp/w d/x.txt");
        assertEquals(0, push.code(), push.toString());
        assertEquals("hello", Files.readString(fake.onDevice("/data/local/tmp/w d/x.txt")));
        assertEquals(1, adb("push", local.toString(), "/system/x").code());

        // one string, run by sh -c in the device root: quoted words stay words, unquoted $() runs
        TestKit.Run ok = adb("shell", "cat " + Kit.shq("/data/local/tmp/w d/x.txt") + " && echo " + Kit.shq("$(touch pwned)"));
        assertEquals("hello$(touch pwned)\n", ok.out(), ok.toString());
        assertFalse(Files.exists(fake.root.resolve("pwned")));
        adb("shell", "echo $(touch pwned)");
        assertTrue(Files.exists(fake.root.resolve("pwned")), "the fake device really runs what is not quoted");
        TestKit.Run two = adb("shell", "echo", "a;", "echo", "b");
        assertEquals("a\nb\n", two.out(), "adb joins its arguments with spaces into one command");

        // paths printed by the device are device paths; errors come back on stderr with the remote exit code
        TestKit.Run ls = adb("shell", "ls -d /data/local/tmp/w* && exit 3");
        assertEquals(3, ls.code());
        assertEquals("/data/local/tmp/w d\n", ls.out());
        Path back = tmp.resolve("back.txt");
        assertEquals(0, adb("pull", "/data/local/tmp/w d/x.txt", back.toString()).code());
        assertEquals("hello", Files.readString(back));
        TestKit.Run none = adb("pull", "/data/local/tmp/none", back.toString());
        assertEquals("adb: error: failed to stat remote object '/data/local/tmp/none': No such file or directory\n", none.err());
        assertEquals("ls -d /data/local/tmp/w* && exit 3", fake.shellCommands().get(fake.shellCommands().size() - 1));
    }

    @Test
    void deviceToolsFacts() {
        assertEquals("arm64-v8a\n", adb("shell", "getprop ro.product.cpu.abi").out());
        assertEquals("\n", adb("shell", "getprop ro.kernel.qemu").out());
        assertTrue(adb("shell", "getprop").out().contains("[ro.build.version.sdk]: [35]\n"));
        assertEquals("7\nnull\n", adb("shell", "settings get global stay_on_while_plugged_in; settings get global nope").out());
        assertTrue(adb("shell", "cat /proc/cpuinfo").out().contains(" sme2 "));
        fake.sme2(false);
        assertFalse(adb("shell", "cat /proc/cpuinfo").out().contains("sme2"));
        assertEquals("3600000\n", adb("shell", "cat /sys/devices/system/cpu/cpu7/cpufreq/cpuinfo_max_freq").out());
        assertEquals(FakeAdb.UNAME + "\n", adb("shell", "uname -a").out());
        assertEquals(FakeAdb.BATTERY, adb("shell", "dumpsys battery").out());
        TestKit.Run t = adb("shell", "taskset 0x100 echo no");
        assertEquals("taskset: sched_setaffinity: Invalid argument\n", t.err());
        assertEquals("yes\n", adb("shell", "taskset 0x80 echo yes").out());
    }

    @Test
    void stderrOfTheDeviceReachesLogcatInThreadtimeFormat() {
        String lines = "printf '%s\\n' \"Note (XNNPACK): Using gemm microkernel 'xnn_k__neonsme2'. (f, gemm-config.c:1)\""
                + " 'I 00:00:00.000674 executorch:executor_runner.cpp:374] Model file m.pte is loaded.' 'ERROR: plain stderr' >&2";
        TestKit.Run r = adb("shell", lines);
        assertEquals("ERROR: plain stderr\n", r.err());
        String xnn = adb("logcat", "-d", "-s", "XNNPACK").out();
        assertTrue(xnn.matches("--------- beginning of main\n\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} +\\d+ +\\d+ I XNNPACK : Using gemm microkernel"
                + " 'xnn_k__neonsme2'\\. \\(f, gemm-config\\.c:1\\)\n"), xnn);
        assertTrue(adb("logcat", "-d", "-s", "ExecuTorch").out().matches("(?s).* I ExecuTorch: Model file m\\.pte is loaded\\.\n"));
        assertEquals(0, adb("logcat", "-c").code());
        assertEquals("--------- beginning of main\n", adb("logcat", "-d", "-s", "XNNPACK").out());
        fake.pal("posix");
        assertEquals("I 00:00:00.1 executorch:x.cpp:1] kept\n", adb("shell", "echo 'I 00:00:00.1 executorch:x.cpp:1] kept' >&2").err());
    }

    @Test
    void transientFailuresAndDisconnects() {
        fake.failFirst("push", 2, "offline", null).failFirst("shell", 1, "closed", "needle").failFirst("pull", 1, "silent", null);
        Path f = tmp.resolve("f");
        TestKit.Run p1 = adb("push", tmp.resolve("nothing").toString(), "/data/local/tmp/x");
        assertEquals("error: device offline\n", p1.err());
        assertEquals(1, adb("push", "a", "/data/local/tmp/x").code());
        assertEquals(0, adb("shell", "true").code(), "only shells with the needle fail");
        assertEquals("error: closed\n", adb("shell", "echo needle").err());
        assertEquals("needle\n", adb("shell", "echo needle").out());
        TestKit.Run silent = adb("pull", "/data/local/tmp/x", f.toString());
        assertEquals(1, silent.code());
        assertEquals("", silent.all());

        int done = fake.calls().size();
        fake.disconnectAfter(done + 1);
        assertEquals(0, adb("shell", "true").code());
        assertEquals("adb: device 'FAKE0001' not found\n", adb("-s", "FAKE0001", "shell", "true").err());
        assertEquals("adb: no devices/emulators found\n", adb("shell", "true").err());
        assertEquals("List of devices attached\n\n", adb("devices", "-l").out());
    }

    @Test
    void aRecordingRunnerNeedsLibcxxAndRecordsItsArgv() throws Exception {
        Path r = FakeAdb.runner(tmp.resolve("host"), "executor_runner", Map.of("FAKE_RUNNER_VARIANT", "sme2-on"));
        Files.copy(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"), tmp.resolve("m.pte"));
        adb("push", r.toString(), "/data/local/tmp/w/executor_runner");
        adb("push", tmp.resolve("m.pte").toString(), "/data/local/tmp/w/m.pte");
        String run = "cd /data/local/tmp/w && env LD_LIBRARY_PATH=/data/local/tmp/w ./executor_runner --model_path /data/local/tmp/w/m.pte --num_executions 2 'x y'";
        TestKit.Run noLib = adb("shell", run);
        assertEquals(1, noLib.code());
        assertEquals("CANNOT LINK EXECUTABLE \"./executor_runner\": library \"libc++_shared.so\" not found: needed by main executable\n", noLib.err());
        adb("shell", "touch /data/local/tmp/w/libc++_shared.so");
        TestKit.Run ok = adb("shell", run);
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.out().contains("OutputX 0: tensor(sizes=[1, 1000]"), ok.out());
        assertFalse(ok.all().contains("executorch:"), "ExecuTorch log lines go to logcat on Android");
        assertTrue(Files.isRegularFile(fake.onDevice("/data/local/tmp/w/model.etdump")));
        assertTrue(adb("logcat", "-d", "-s", "ExecuTorch").out().contains(" I ExecuTorch: Model executed successfully 2 time(s) in "));
        assertEquals(List.of(new FakeAdb.DeviceRun("/data/local/tmp/w", "/data/local/tmp/w", List.of("./executor_runner", "--model_path",
                        "/data/local/tmp/w/m.pte", "--num_executions", "2", "x y")),
                new FakeAdb.DeviceRun("/data/local/tmp/w", "/data/local/tmp/w", List.of("./executor_runner", "--model_path",
                        "/data/local/tmp/w/m.pte", "--num_executions", "2", "x y"))), fake.runs());
    }
}
