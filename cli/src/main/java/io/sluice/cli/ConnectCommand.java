package io.sluice.cli;

import io.sluice.connect.ConfigException;
import io.sluice.connect.runtime.StandaloneRunner;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code sluice connect standalone WORKER.properties CONNECTOR.properties...}: runs connectors in this process
 * until SIGINT or SIGTERM, then stops them, storing the source offsets and committing the sink offsets of what was
 * delivered. A bad or missing file, or a configuration the connectors refuse, is exit 2 with the key named.
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
    description = "Run connectors (the Connector API).",
    subcommands = ConnectCommand.Standalone.class)
final class ConnectCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a connect subcommand is required: standalone");
    }

    @Command(name = "standalone", mixinStandardHelpOptions = true,
        description = {"Run the connectors of the properties files in this process until SIGINT or SIGTERM.",
            "Prints a line containing 'running' once every task started."})
    static final class Standalone implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "WORKER", description = "The worker's properties " +
            "(bootstrap.servers, offset.storage.topic, offset.flush.interval.ms, status.port, ...).")
        File worker;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "CONNECTOR",
            description = "A connector's properties (name, connector.class, tasks.max, ...), one file each.")
        List<File> connectors;

        public Integer call()
        {
            final Map<String, String> workerProperties = read(worker);
            final List<Map<String, String>> connectorProperties = new ArrayList<>();
            connectors.forEach((file) -> connectorProperties.add(read(file)));
            final PrintWriter out = spec.commandLine().getOut();
            final StandaloneRunner runner;
            try
            {
                runner = StandaloneRunner.start(workerProperties, connectorProperties);
            }
            catch (final ConfigException ex)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
            }
            try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier(); runner)
            {
                out.println("sluice connect: running " + connectorProperties.size() + " connector(s)" +
                    (runner.statusPort() < 0 ? "" : "; status on http://127.0.0.1:" + runner.statusPort() +
                    "/connectors"));
                out.flush();
                barrier.await();
                out.println("sluice connect: stopping");
                out.flush();
            }
            return 0;
        }

        private Map<String, String> read(final File file)
        {
            final Properties properties = new Properties();
            try (InputStream in = Files.newInputStream(file.toPath()))
            {
                properties.load(in);
            }
            catch (final IOException ex)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + file + ": " + ex);
            }
            final Map<String, String> map = new TreeMap<>();
            properties.stringPropertyNames().forEach((key) -> map.put(key, properties.getProperty(key)));
            return map;
        }
    }
}
