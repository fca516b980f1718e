package io.sluice.cli;

import io.sluice.broker.SluiceBroker;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * {@code sluice broker}: run a broker until SIGINT or SIGTERM.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
    description = {
        "Run a broker: an embedded media driver, the logs in the data directory, clients on HOST:PORT.",
        "Prints a line containing 'ready' when it accepts clients; stops cleanly on SIGINT or SIGTERM."
    })
final class BrokerCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
        description = "Broker properties (listen, data.dir, broker.id, aeron.dir, client.term.length, " +
            "client.timeout.ms, idle.strategy, driver.threading, cluster, replica.*, replication.term.length, " +
            "controller.session.timeout.ms, log.*); the options below override it.")
    File config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (default ./sluice-data).")
    File dataDirectory;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
        description = "Address for clients (default 127.0.0.1:9494: loopback only; port 0 picks a free one).")
    String listen;

    @Option(names = "--aeron-dir", paramLabel = "DIR",
        description = "Use the external media driver in DIR instead of an embedded one.")
    String aeronDirectory;

    @Option(names = "--node-id", paramLabel = "N",
        description = "This broker's id (broker.id); with --cluster, its member id in the quorum.")
    Integer nodeId;

    @Option(names = "--cluster", paramLabel = "ID@HOST:PORT,...",
        description = "Run as a member of this cluster: broker plus controller quorum member (combined mode). " +
            "Each node uses 7 ports from its PORT (clients on PORT, replication PORT+1, controller PORT+2..PORT+6); " +
            "this node's entry gives its client address, so --listen does not apply. One entry: a one-node quorum.")
    String cluster;

    @Option(names = "--override", paramLabel = "KEY=VALUE",
        description = "Set any broker property, e.g. --override log.retention.ms=3600000 (repeatable).")
    List<String> overrides = new ArrayList<>();

    public Integer call() throws IOException
    {
        final SluiceBroker.Context ctx = new SluiceBroker.Context();
        try
        {
            if (null != config)
            {
                ctx.apply(load(config));
            }
            for (final String override : overrides)
            {
                final int equals = override.indexOf('=');
                if (equals <= 0)
                {
                    throw new IllegalArgumentException("--override expects KEY=VALUE, got '" + override + "'");
                }
                ctx.set(override.substring(0, equals).trim(), override.substring(equals + 1).trim());
            }
            if (null != dataDirectory)
            {
                ctx.dataDirectory(dataDirectory);
            }
            if (null != listen)
            {
                ctx.listen(listen);
            }
            if (null != aeronDirectory)
            {
                ctx.aeronDirectoryName(aeronDirectory);
            }
            if (null != nodeId)
            {
                ctx.brokerId(nodeId);
            }
            if (null != cluster)
            {
                if (null != listen)
                {
                    throw new IllegalArgumentException("--listen does not apply with --cluster: this node's entry " +
                        "in --cluster is its client address");
                }
                ctx.cluster(cluster);
            }
            ctx.conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }

        final PrintWriter out = spec.commandLine().getOut();
        // Closed in reverse order: the broker first, then the barrier, whose shutdown hook holds the JVM's exit
        // until then, so SIGTERM always lets the broker finish closing.
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier(); SluiceBroker broker = SluiceBroker.launch(ctx))
        {
            out.println("sluice broker " + broker.brokerId() + (null == cluster ? "" : " (cluster member)") +
                " ready: clients connect to " +
                broker.listenEndpoint() + ", data in " + broker.dataDirectory().getAbsolutePath() +
                ", aeron dir " + broker.aeronDirectoryName());
            out.flush();
            barrier.await();
            out.println("sluice broker " + broker.brokerId() + " stopping");
            out.flush();
        }
        return 0;
    }

    private Properties load(final File file) throws IOException
    {
        if (!file.isFile())
        {
            throw new IllegalArgumentException("--config: no such file: " + file);
        }
        final Properties properties = new Properties();
        try (InputStream in = new FileInputStream(file))
        {
            properties.load(in);
        }
        return properties;
    }
}
