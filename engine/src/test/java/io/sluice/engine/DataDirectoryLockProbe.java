package io.sluice.engine;

import java.io.File;

/**
 * Child process of {@link LogManagerTest}: tries to open a data directory with a {@link LogManager}, as a second
 * broker on the same machine would, and reports on standard output {@code opened} (then closes it again) or
 * {@code refused <message>}.
 */
final class DataDirectoryLockProbe
{
    private DataDirectoryLockProbe()
    {
    }

    public static void main(final String[] args)
    {
        try (LogManager logs = LogManager.open(new LogManager.Context()
            .dataDirectory(new File(args[0]))
            .maintenanceMode(LogManager.MaintenanceMode.INVOKER)))
        {
            System.out.println("opened " + logs.dataDirectory());
        }
        catch (final LogStorageException ex)
        {
            System.out.println("refused " + ex.getMessage());
        }
        System.out.flush();
    }
}
