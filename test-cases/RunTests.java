///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.junit.jupiter:junit-jupiter-engine:5.14.4
//DEPS org.junit.jupiter:junit-jupiter-params:5.14.4
//DEPS org.junit.platform:junit-platform-launcher:1.14.4
//DEPS com.google.flatbuffers:flatbuffers-java:25.2.10
//DEPS org.duckdb:duckdb_jdbc:1.4.2.0
//SOURCES ../scripts/*.java
//SOURCES *Test.java
//SOURCES support/*.java
//MAIN RunTests

/**
 * Runs every test of the project: `./jbang test-cases/RunTests.java` (options: `--class NAME`, `--method Class#method`).
 * Prints one line per test and a closing line `N passed, N failed, N skipped`; exits 1 when any test failed.
 */
public class RunTests {
    public static void main(String[] args) throws Exception {
        System.exit(JUnitMain.runAll(args));
    }
}
