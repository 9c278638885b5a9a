import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The test launcher behind test-cases/RunTests.java (kept free of JBang directives so that a partial runner can reuse it).
 * Options: `--class NAME` (repeatable) runs only those test classes; `--method Class#method` one test.
 * Prints each failure, then a closing line `N passed, N failed, N skipped`; exits 1 when any test failed.
 */
public class JUnitMain {
    public static void main(String[] args) throws Exception {
        System.exit(runAll(args));
    }

    public static int runAll(String... args) throws Exception {
        // The scripts print commands as started with an installed jbang unless a test says otherwise (Kit.launcher()).
        System.setProperty("sme2.launcher", "jbang");
        var builder = LauncherDiscoveryRequestBuilder.request();
        List<String> classes = new ArrayList<>();
        boolean methodSelected = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--class" -> classes.add(args[++i]);
                case "--method" -> {
                    builder.selectors(DiscoverySelectors.selectMethod(args[++i]));
                    methodSelected = true;
                }
                default -> {
                    System.err.println("usage: RunTests [--class NAME ...] [--method Class#method]");
                    return 2;
                }
            }
        }
        if (!classes.isEmpty()) classes.forEach(c -> builder.selectors(DiscoverySelectors.selectClass(c)));
        else if (!methodSelected) {
            Path root = Path.of(JUnitMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            builder.selectors(DiscoverySelectors.selectClasspathRoots(Set.of(root)));
            // Only the test classes (names ending in Test/Tests), not helper or sample classes that carry @Test methods.
            builder.filters(org.junit.platform.engine.discovery.ClassNameFilter.includeClassNamePatterns(
                    org.junit.platform.engine.discovery.ClassNameFilter.STANDARD_INCLUDE_PATTERN));
        }
        // A misdeclared test (private, static, wrong return type) fails the run instead of being dropped with a warning.
        builder.configurationParameter("junit.platform.discovery.issue.severity.critical", "WARNING");
        LauncherDiscoveryRequest request = builder.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(request, summary, new Progress());
        TestExecutionSummary s = summary.getSummary();
        long failed = s.getTotalFailureCount();
        long passed = s.getTestsSucceededCount();
        long skipped = s.getTestsFoundCount() - passed - s.getTestsFailedCount(); // incl. tests of skipped or aborted classes
        System.out.printf("%d passed, %d failed, %d skipped%n", passed, failed, skipped);
        return failed == 0 && s.getTestsFoundCount() > 0 ? 0 : 1;
    }

    /** One line per finished test; failures with their message and the top of the stack. */
    static final class Progress implements TestExecutionListener {
        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            System.out.println("SKIP " + id.getDisplayName() + ": " + reason);
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult r) {
            if (!id.isTest()) {
                if (r.getStatus() == TestExecutionResult.Status.FAILED) report("FAIL (container) " + name(id), r);
                if (r.getStatus() == TestExecutionResult.Status.ABORTED)
                    System.out.println("SKIP (container) " + id.getDisplayName() + ": " + r.getThrowable().map(Throwable::getMessage).orElse(""));
                return;
            }
            switch (r.getStatus()) {
                case SUCCESSFUL -> System.out.println("ok   " + name(id));
                case ABORTED -> System.out.println("SKIP " + name(id) + ": " + r.getThrowable().map(Throwable::getMessage).orElse(""));
                case FAILED -> report("FAIL " + name(id), r);
            }
        }

        private static void report(String head, TestExecutionResult r) {
            System.out.println(head);
            r.getThrowable().ifPresent(t -> {
                System.out.println("     " + t);
                var st = t.getStackTrace();
                for (int i = 0; i < Math.min(6, st.length); i++) System.out.println("       at " + st[i]);
            });
        }

        private static String name(TestIdentifier id) {
            String legacy = id.getLegacyReportingName();
            String cls = id.getSource().map(src -> src instanceof org.junit.platform.engine.support.descriptor.MethodSource m
                    ? m.getClassName() + "." : "").orElse("");
            return cls + legacy;
        }
    }
}
