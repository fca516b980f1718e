package io.sluice.perf.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice perf streams} refuses bad options with exit code 2 before it starts anything.
 */
class StreamsBenchmarkTest
{
    @TempDir
    File directory;

    @Test
    void shouldRefuseBadOptions()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, call(errors, "--records", "0"));
        assertEquals(2, call(errors, "--targets", "sluice-streams,flink"));
        assertEquals(2, call(errors, "--rate"));
        assertEquals(2, call(errors, "--keys", "many"));
        assertEquals(2, call(errors, "--dir", new File(directory, "missing").getPath()));
        assertEquals(2, call(errors, "--colour", "blue"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown target 'flink'"), err.toString());
    }

    private static int call(final PrintStream err, final String... args)
    {
        try
        {
            return StreamsBenchmark.execute(args, System.out, err);
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }
}
