package io.sluice.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice connect standalone}: bad arguments and configurations exit 2, naming the file or the key, before
 * anything starts (the runtime itself is tested in the connect module).
 */
class ConnectCommandTest
{
    @TempDir
    File directory;

    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        final CommandLine commandLine = SluiceCli.commandLine();
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void shouldExitWithUsageOnBadArgumentsAndConfigurations() throws Exception
    {
        assertEquals(2, run("connect"));
        assertTrue(err.toString().contains("a connect subcommand is required"), err.toString());
        final File worker = new File(directory, "worker.properties");
        Files.writeString(worker.toPath(), "bootstrap.servers=127.0.0.1:9\nstatus.port=-1\n");
        assertEquals(2, run("connect", "standalone", worker.getPath()), "a connector file is required");
        assertEquals(2, run("connect", "standalone", worker.getPath(), new File(directory, "none").getPath()));
        assertTrue(err.toString().contains("cannot read"), err.toString());

        final File connector = new File(directory, "source.properties");
        Files.writeString(connector.toPath(), "name=lines\nconnector.class=FileStreamSource\ntopic=lines\n");
        assertEquals(2, run("connect", "standalone", worker.getPath(), connector.getPath()));
        assertTrue(err.toString().contains("missing required configuration 'file'"), err.toString());

        Files.writeString(connector.toPath(), "name=lines\nconnector.class=FileStreamSource\ntopic=lines\n" +
            "file=in.txt\ntasks.max=0\n");
        assertEquals(2, run("connect", "standalone", worker.getPath(), connector.getPath()));
        assertTrue(err.toString().contains("'tasks.max'"), err.toString());
    }
}
