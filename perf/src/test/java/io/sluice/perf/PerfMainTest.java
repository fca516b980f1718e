package io.sluice.perf;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PerfMainTest
{
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void shouldExitWithUsageWhenNoCommand() throws Exception
    {
        assertEquals(PerfMain.EXIT_USAGE, PerfMain.run(new String[0], out, err));
        assertTrue(err().contains("usage:"), err());
    }

    @Test
    void shouldExitWithUsageWhenCommandUnknown() throws Exception
    {
        assertEquals(PerfMain.EXIT_USAGE, PerfMain.run(new String[]{ "bench" }, out, err));
        assertTrue(err().contains("unknown command 'bench'"), err());
    }

    @Test
    void shouldExitWithUsageWhenEngineOptionIsBad() throws Exception
    {
        assertEquals(PerfMain.EXIT_USAGE, PerfMain.run(new String[]{ "engine", "--messages", "ten" }, out, err));
        assertTrue(err().contains("--messages expects a whole number"), err());
        assertEquals(PerfMain.EXIT_USAGE, PerfMain.run(new String[]{ "engine", "--size", "4" }, out, err));
        assertEquals(PerfMain.EXIT_USAGE, PerfMain.run(new String[]{ "engine", "--rate" }, out, err));
        assertEquals(PerfMain.EXIT_USAGE, PerfMain.run(new String[]{ "engine", "--colour", "red" }, out, err));
    }

    @Test
    void shouldExitWithUsageWhenE2eOptionIsBad() throws Exception
    {
        assertEquals(PerfMain.EXIT_USAGE, PerfMain.run(new String[]{ "e2e", "--targets", "pulsar" }, out, err));
        assertTrue(err().contains("unknown target 'pulsar'"), err());
        assertEquals(PerfMain.EXIT_USAGE, PerfMain.run(new String[]{ "e2e", "--rates", "10000,x" }, out, err));
        assertEquals(PerfMain.EXIT_USAGE, PerfMain.run(new String[]{ "e2e", "--size", "8" }, out, err));
        assertEquals(PerfMain.EXIT_USAGE, PerfMain.run(new String[]{ "e2e", "--duration-s" }, out, err));
        assertEquals(PerfMain.EXIT_USAGE, PerfMain.run(new String[]{ "e2e", "--colour", "red" }, out, err));
    }

    @Test
    void shouldExitWithUsageWhenJmhOptionIsBad() throws Exception
    {
        assertEquals(PerfMain.EXIT_USAGE, PerfMain.run(new String[]{ "jmh", "-f", "many" }, out, err));
        assertTrue(err().contains("bad JMH options"), err());
    }

    @Test
    void shouldAddTheGcProfilerAndFailOnErrorToJmhUnlessGivenOrListing()
    {
        assertArrayEquals(new String[]{ "-foe", "true", "-prof", "gc", "CodecBenchmark" },
            PerfMain.jmhArguments(new String[]{ "CodecBenchmark" }));
        assertArrayEquals(new String[]{ "-foe", "false", "-prof", "stack" },
            PerfMain.jmhArguments(new String[]{ "-foe", "false", "-prof", "stack" }));
        assertArrayEquals(new String[]{ "-l" }, PerfMain.jmhArguments(new String[]{ "-l" }));
    }

    @Test
    void shouldExitWithUsageWhenHarnessOptionIsBad() throws Exception
    {
        assertEquals(PerfMain.EXIT_USAGE, PerfMain.run(new String[]{ "latency", "--target", "nope" }, out, err));
        assertTrue(err().contains("unknown target 'nope'"), err());
        assertEquals(PerfMain.EXIT_USAGE, PerfMain.run(new String[]{ "compare" }, out, err));
    }

    @Test
    void shouldExitWithUsageWhenFailoverOptionIsBad() throws Exception
    {
        assertEquals(PerfMain.EXIT_USAGE, PerfMain.run(new String[]{ "failover", "--kills", "0" }, out, err));
        assertTrue(err().contains("--kills"), err());
    }

    @Test
    void shouldPrintUsageWhenAskedForHelp() throws Exception
    {
        assertEquals(PerfMain.EXIT_OK, PerfMain.run(new String[]{ "help" }, out, err));
        assertTrue(outBytes.toString(StandardCharsets.UTF_8).contains("engine"));
        assertTrue(outBytes.toString(StandardCharsets.UTF_8).contains("e2e"));
        assertTrue(outBytes.toString(StandardCharsets.UTF_8).contains("known: sluice-udp,sluice-ipc,sluice-reactive-udp,sluice-reactive-ipc,sluice-cluster,kafka,kafka-cluster,chronicle,aeron-raw"));
        assertTrue(outBytes.toString(StandardCharsets.UTF_8).contains("failover"));
    }

    @Test
    void shouldParseEngineOptionsWhenGiven()
    {
        final EngineComparison.Options options = EngineComparison.Options.parse(new String[]{
            "--messages", "1_000", "--size", "64", "--rate", "250000", "--warmup", "0", "--dir", "some/where",
            "--baseline", "--sluice-claim", "--segment-bytes", "1048576", "--pretouch-bytes", "0" });
        assertEquals(1000, options.messages);
        assertEquals(64, options.size);
        assertEquals(250_000, options.rate);
        assertEquals(0, options.warmup);
        assertEquals("where", options.directory.getName());
        assertTrue(options.baseline);
        assertTrue(options.sluiceClaim);
        assertEquals(1 << 20, options.segmentBytes);
        assertEquals(0, options.pretouchBytes);
    }

    @Test
    void shouldRefuseEngineOptionsWhenOutOfRange()
    {
        assertThrows(IllegalArgumentException.class,
            () -> EngineComparison.Options.parse(new String[]{ "--messages", "0" }));
        assertThrows(IllegalArgumentException.class,
            () -> EngineComparison.Options.parse(new String[]{ "--rate", "-5" }));
    }

    private String err()
    {
        return errBytes.toString(StandardCharsets.UTF_8);
    }
}
