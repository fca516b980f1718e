package io.sluice.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineComparisonTest
{
    @TempDir
    File parent;

    @Test
    void shouldCompareBothSystemsAndDeleteTheirFilesWhenRunSmall() throws Exception
    {
        ChronicleProperties.apply();
        final EngineComparison.Options options = EngineComparison.Options.parse(new String[]{
            "--messages", "20000", "--warmup", "2000", "--rate", "200000", "--dir", parent.getPath() });
        // 2 MiB segments: the 20,000 messages of 193 B roll the Sluice log twice, and scans cross segments.
        options.segmentBytes = 2 << 20;
        options.pretouchBytes = 256 << 10;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        final int exitCode = new EngineComparison(options, new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();

        final String report = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(PerfMain.EXIT_OK, exitCode, report);
        assertTrue(report.contains("append msgs/s"), report);
        assertTrue(report.contains("scan msgs/s"), report);
        assertTrue(report.contains("open loop"), report);
        assertTrue(report.contains("chronicle"), report);
        assertEquals(0, parent.list().length, "left behind: " + String.join(", ", parent.list()));
    }

    @Test
    void shouldReadBackEveryMessageWhenSluiceEncodesInPlace() throws Exception
    {
        final EngineComparison.Options options = EngineComparison.Options.parse(new String[]{
            "--sluice-claim", "--messages", "20000", "--warmup", "2000", "--rate", "200000", "--dir", parent.getPath() });
        options.segmentBytes = 2 << 20;
        options.pretouchBytes = 256 << 10;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        final int exitCode = new EngineComparison(options, new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();

        final String report = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(PerfMain.EXIT_OK, exitCode, report);
        assertTrue(report.contains("tryClaim"), report);
        assertTrue(report.contains("scan msgs/s"), report);
        assertEquals(0, parent.list().length, "left behind: " + String.join(", ", parent.list()));
    }

    @Test
    void shouldMeasureOnlyLatencyWhenRunAsBaseline() throws Exception
    {
        final EngineComparison.Options options = EngineComparison.Options.parse(new String[]{
            "--baseline", "--messages", "20000", "--warmup", "2000", "--rate", "200000", "--dir", parent.getPath() });
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        final int exitCode = new EngineComparison(options, new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();

        final String report = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(PerfMain.EXIT_OK, exitCode, report);
        assertTrue(report.contains("baseline"), report);
        assertTrue(report.contains("open loop"), report);
        assertFalse(report.contains("scan msgs/s"), report);
        assertEquals(0, parent.list().length, "left behind: " + String.join(", ", parent.list()));
    }
}
