package io.sluice.cli;

import io.sluice.transport.ClientConnection;
import io.sluice.transport.HostPort;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.concurrent.TimeUnit;

/**
 * Options of every command that talks to a broker.
 */
final class ClientOptions
{
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "A broker to connect to (in a cluster, any of them).")
    String bootstrap;

    @Option(names = "--connect-timeout-ms", paramLabel = "MS", defaultValue = "5000",
        description = "How long to try to reach the broker (default ${DEFAULT-VALUE}).")
    long connectTimeoutMs;

    ClientConnection connect(final String clientName)
    {
        validate();
        return ClientConnection.connect(new ClientConnection.Context()
            .bootstrap(bootstrap)
            .clientName(clientName)
            .connectTimeout(connectTimeoutMs, TimeUnit.MILLISECONDS));
    }

    /**
     * @param clientName shown by the brokers.
     * @return connected to the bootstrap broker, ready to reach each partition's leader.
     */
    Brokers brokers(final String clientName)
    {
        validate();
        return Brokers.connect(bootstrap, clientName, connectTimeoutMs);
    }

    private void validate()
    {
        try
        {
            HostPort.parse(bootstrap);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--bootstrap: " + ex.getMessage());
        }
        if (connectTimeoutMs <= 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--connect-timeout-ms must be positive");
        }
    }
}
