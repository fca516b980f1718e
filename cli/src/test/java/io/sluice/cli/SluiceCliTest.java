package io.sluice.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SluiceCliTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        final CommandLine commandLine = SluiceCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void shouldExitWithUsageWhenTheCommandIsMissingOrUnknown()
    {
        assertEquals(2, run());
        assertTrue(err.toString().contains("Usage: sluice"), err.toString());
        assertEquals(2, run("frobnicate"));
    }

    @Test
    void shouldExitWithUsageOnUnknownOptionsAndBadValues()
    {
        assertEquals(2, run("topics", "create", "--bootstrap", "127.0.0.1:9494", "--topic", "t", "--partitions", "x"));
        assertTrue(err.toString().contains("'x' is not an int"), err.toString());
        assertEquals(2, run("topics", "create", "--bootstrap", "127.0.0.1:9494", "--topic", "t", "--partitions", "0"));
        assertEquals(2, run("topics", "list", "--bootstrap", "127.0.0.1:9494", "--no-such-option"));
        assertEquals(2, run("topics", "list", "--bootstrap", "no-port"));
        assertEquals(2, run("topics", "list"), "--bootstrap is required");
        assertEquals(2, run("topics"), "a topics subcommand is required");
        assertEquals(2, run("groups"), "a groups subcommand is required");
        assertEquals(2, run("groups", "list"), "--bootstrap is required");
        assertEquals(2, run("groups", "describe", "--bootstrap", "127.0.0.1:9494"), "--group is required");
        assertTrue(err.toString().contains("Missing required option: '--group=GROUP'"), err.toString());
        assertTrue(err.toString().contains("Usage: sluice groups describe"), err.toString());
        assertEquals(2, run("groups", "describe", "--bootstrap", "127.0.0.1:9494", "--group", ""));
        assertTrue(err.toString().contains("--group must not be empty"), err.toString());
        assertEquals(2, run("produce", "--bootstrap", "127.0.0.1:9494", "--topic", "t", "--acks", "2"));
        assertEquals(2, run("produce", "--bootstrap", "127.0.0.1:9494"), "--topic is required");
        assertEquals(2, run("consume", "--bootstrap", "127.0.0.1:9494", "--topic", "t", "--max-records", "0"));
        assertEquals(2, run("consume", "--bootstrap", "127.0.0.1:9494", "--topic", "t", "--timeout-ms", "-1"));
        assertEquals(2, run("broker", "--listen", "nowhere"));
        assertEquals(2, run("broker", "--override", "no.such.property=1"));
        assertEquals(2, run("broker", "--override", "log.max.message.bytes=999999999"));
        assertEquals(2, run("broker", "--config", "no-such-file.properties"));
    }

    @Test
    void shouldReadTheBrokerConfigFileAndRefuseWhatItCannotUse(@TempDir final File directory) throws Exception
    {
        final File config = new File(directory, "broker.properties");
        Files.writeString(config.toPath(), "listen=127.0.0.1:0\nlog.retention.ms=soon\n");
        assertEquals(2, run("broker", "--config", config.getPath()));
        assertTrue(err.toString().contains("retention.ms"), err.toString());

        Files.writeString(config.toPath(), "client.term.length=1000\n");
        assertEquals(2, run("broker", "--config", config.getPath()));
        assertTrue(err.toString().contains("client.term.length must be a power of 2"), err.toString());

        Files.writeString(config.toPath(), "driver.threading=dedicated\n");
        assertEquals(2, run("broker", "--config", config.getPath()));
        assertTrue(err.toString().contains("driver.threading must be shared or invoker"), err.toString());
    }

    @Test
    void shouldRefuseABadClusterSpecification()
    {
        assertEquals(2, run("broker", "--node-id", "3", "--cluster", "0@127.0.0.1:30000,1@127.0.0.1:30010"));
        assertTrue(err.toString().contains("has no member 3"), err.toString());
        assertEquals(2, run("broker", "--cluster", "0@127.0.0.1:30000", "--listen", "127.0.0.1:0"));
        assertTrue(err.toString().contains("--listen does not apply with --cluster"), err.toString());
        assertEquals(2, run("broker", "--cluster", "127.0.0.1:30000"));
        assertTrue(err.toString().contains("entries are ID@HOST:PORT"), err.toString());
        assertEquals(2, run("broker", "--cluster", "0@127.0.0.1:30000,0@127.0.0.1:30010"));
        assertTrue(err.toString().contains("unique"), err.toString());
        assertEquals(2, run("broker", "--cluster", "0@127.0.0.1:0"));
        assertEquals(2, run("broker", "--node-id", "-1"));
        assertEquals(2, run("broker", "--cluster", "0@127.0.0.1:30000", "--override", "driver.threading=invoker"));
        assertTrue(err.toString().contains("needs driver.threading=shared"), err.toString());
    }

    @Test
    void shouldPrintOneLineWhenTheBrokerCannotBeReached()
    {
        final int exitCode = run("topics", "list", "--bootstrap", "127.0.0.1:9", "--connect-timeout-ms", "500");
        assertEquals(1, exitCode);
        final String message = err.toString().strip();
        assertEquals("sluice topics list: no broker answers at 127.0.0.1:9", message);
        assertFalse(message.contains("Exception"), message);
    }

    @Test
    void shouldPrintOneLineWhenTheBrokerCannotBeReachedForGroups()
    {
        final int exitCode = run("groups", "describe", "--bootstrap", "127.0.0.1:9", "--connect-timeout-ms", "500",
            "--group", "g");
        assertEquals(1, exitCode);
        assertEquals("sluice groups describe: no broker answers at 127.0.0.1:9", err.toString().strip());
    }
}
