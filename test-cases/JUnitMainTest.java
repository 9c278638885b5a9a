import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The test runner's own counting: its closing line and exit code are what CI reads. The samples are nested classes
 * whose names the class-path scan does not pick up (JUnit's default pattern: names ending in Test or Tests).
 */
class JUnitMainTest {
    static final class AbortedClassSample {
        @BeforeAll
        static void notHere() { Assumptions.assumeTrue(false, "tool absent"); }

        @Test void one() {}

        @Test void two() {}
    }

    static final class MixedSample {
        @Test void passes() {}

        @Test void fails() { fail("on purpose"); }

        @Test void aborts() { Assumptions.assumeTrue(false, "not here"); }
    }

    record Outcome(int code, String out) {}

    static Outcome run(String... args) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = JUnitMain.runAll(args);
            return new Outcome(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void testsOfAnAbortedClassAreCountedAsSkipped() throws Exception {
        Outcome o = run("--class", AbortedClassSample.class.getName());
        assertEquals(0, o.code(), o.out());
        assertTrue(o.out().contains("SKIP (container) JUnitMainTest$AbortedClassSample: Assumption failed: tool absent"), o.out());
        assertTrue(o.out().endsWith("0 passed, 0 failed, 2 skipped\n"), o.out());
    }

    @Test
    void aFailureMakesTheRunFailAndEveryTestIsCounted() throws Exception {
        Outcome o = run("--class", MixedSample.class.getName());
        assertEquals(1, o.code(), o.out());
        assertTrue(o.out().endsWith("1 passed, 1 failed, 1 skipped\n"), o.out());
    }

    @Test
    void aRunWithoutAnyTestFails() throws Exception {
        Outcome none = run("--class", "NoSuchTestClass");
        assertEquals(1, none.code(), none.out());
    }
}
