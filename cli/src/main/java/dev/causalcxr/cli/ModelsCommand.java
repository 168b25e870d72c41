package dev.causalcxr.cli;

import dev.causalcxr.activities.retrain.RetrainActivitiesImpl;
import dev.causalcxr.infra.registry.ModelNotFoundException;
import dev.causalcxr.infra.registry.ModelRegistry;
import dev.causalcxr.infra.registry.ModelVersion;
import dev.causalcxr.infra.stack.PlatformStack;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description = "Registered model versions (every successful training run registers one) and their aliases.",
        subcommands = {
            ModelsCommand.ListModels.class,
            ModelsCommand.Show.class,
            ModelsCommand.Alias.class,
            ModelsCommand.Unalias.class,
            ModelsCommand.History.class,
            ModelsCommand.Promote.class
        })
final class ModelsCommand {
    // not Runnable: only its subcommands run, and without one picocli reports a usage error (exit 2) with this
    // command's usage

    private static PlatformStack stack(DataDirOption dataDir) {
        // MLflow stays off here; the registry mirrors to it whenever a stack with MLflow connects
        return PlatformStack.start(dataDir.config().withMlflowEnabled(false), false);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Models, or the versions of one model.")
    static final class ListModels implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            ConsoleOutput console = ConsoleOutput.system();
            try (PlatformStack stack = stack(dataDir)) {
                ModelRegistry registry = stack.registry();
                listAll(registry, console);
            } catch (ModelNotFoundException e) {
                throw new UsageException(e.getMessage());
            }
            return ExitCodes.OK;
        }

        private void listAll(ModelRegistry registry, ConsoleOutput console) {
            // versions() of an unknown name throws, naming the models that exist
            List<String> names = name == null ? registry.names() : List.of(name);
            if (names.isEmpty()) {
                console.println("no registered models (run ./causalcxr demo to train one)");
            }
            for (String n : names) {
                for (ModelVersion v : registry.versions(n)) {
                    Double cf = v.metrics().get("cf_effectiveness");
                    Double judged = v.metrics().get("cf_effectiveness_judge");
                    Double tail = v.metrics().get("tail_recall_augmented");
                    console.printf(
                            "%-28s %s  run %s%s%s%s%s",
                            v.reference(),
                            v.createdAt(),
                            v.provenance().getOrDefault(ModelRegistry.PIPELINE_RUN_ID, "-"),
                            v.aliases().isEmpty() ? "" : "  aliases " + String.join(",", v.aliases()),
                            cf == null ? "" : String.format(java.util.Locale.ROOT, "  cf_effectiveness %.3f", cf),
                            judged == null
                                    ? ""
                                    : String.format(java.util.Locale.ROOT, "  cf_effectiveness_judge %.3f", judged),
                            tail == null
                                    ? ""
                                    : String.format(java.util.Locale.ROOT, "  tail_recall_augmented %.3f", tail));
                }
            }
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "One version: its files, aliases, metrics and provenance (code fingerprints and commit, "
                    + "runtime, engine, threads, spec, dataset, seeds).")
    static final class Show implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Parameters(index = "0", paramLabel = "NAME[@VERSION|@ALIAS]")
        String reference;

        @Override
        public Integer call() {
            ConsoleOutput console = ConsoleOutput.system();
            try (PlatformStack stack = stack(dataDir)) {
                ModelVersion v = stack.registry().resolve(reference);
                console.printf(
                        "%s  registered %s%s",
                        v.reference(),
                        v.createdAt(),
                        v.aliases().isEmpty() ? "" : "  aliases " + String.join(",", v.aliases()));
                console.printf("bundle %s", v.bundleDigest());
                console.println("components:");
                new java.util.TreeMap<>(v.components())
                        .forEach((role, digest) -> console.printf("  %-34s %s", role, digest));
                console.println("provenance:");
                new java.util.TreeMap<>(v.provenance()).forEach((k, val) -> console.printf("  %-34s %s", k, val));
                console.println("metrics:");
                new java.util.TreeMap<>(v.metrics())
                        .forEach((k, val) ->
                                console.printf("  %-34s %s", k, String.format(java.util.Locale.ROOT, "%.4f", val)));
            } catch (ModelNotFoundException e) {
                throw new UsageException(e.getMessage());
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "alias",
            mixinStandardHelpOptions = true,
            description = "Point NAME@ALIAS at a version (moves it if set).")
    static final class Alias implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "ALIAS")
        String alias;

        @Parameters(index = "2", paramLabel = "VERSION")
        int version;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why: kept in the model history.")
        String reason;

        @Override
        public Integer call() {
            try (PlatformStack stack = stack(dataDir)) {
                stack.registry().setAlias(name, alias, version, ModelRegistry.currentUser(), reason);
                Map<String, Integer> aliases = stack.registry().aliases(name);
                ConsoleOutput.system().printf("%s@%s → version %d", name, alias, aliases.get(alias));
            } catch (ModelNotFoundException e) {
                throw new UsageException(e.getMessage());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "unalias", mixinStandardHelpOptions = true, description = "Remove NAME@ALIAS.")
    static final class Unalias implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "ALIAS")
        String alias;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why: kept in the model history.")
        String reason;

        @Override
        public Integer call() {
            try (PlatformStack stack = stack(dataDir)) {
                if (!stack.registry().deleteAlias(name, alias, ModelRegistry.currentUser(), reason)) {
                    throw new UsageException(name + " has no alias " + alias);
                }
                ConsoleOutput.system().printf("removed %s@%s", name, alias);
            } catch (ModelNotFoundException e) {
                throw new UsageException(e.getMessage());
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "history",
            mixinStandardHelpOptions = true,
            description = {
                "Every registration and alias move of a model, oldest first.",
                "Each says when, which version, the alias and where it pointed before, who or what did it and why.",
                "Append-only: the database refuses changes."
            })
    static final class History implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            ConsoleOutput console = ConsoleOutput.system();
            try (PlatformStack stack = stack(dataDir)) {
                for (ModelRegistry.HistoryEntry e : stack.registry().history(name)) {
                    String what = switch (e.event()) {
                        case "registered" -> "registered " + name + "@" + e.version();
                        case "alias_set" ->
                            "@" + e.alias() + " → " + e.version()
                                    + (e.previousVersion() == null ? " (new)" : " (was " + e.previousVersion() + ")");
                        default -> "@" + e.alias() + " removed (was " + e.previousVersion() + ")";
                    };
                    console.printf(
                            "%s  %-34s by %s%s",
                            java.time.format.DateTimeFormatter.ISO_INSTANT.format(
                                    e.at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)),
                            what,
                            e.actor(),
                            e.reason() == null ? "" : "  — " + e.reason());
                }
            } catch (ModelNotFoundException e) {
                throw new UsageException(e.getMessage());
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "promote",
            mixinStandardHelpOptions = true,
            description = {
                "Make VERSION the champion by hand: @champion moves to it, the version it left keeps @previous.",
                "Both moves go to the model history with you as the actor and the reason."
            })
    static final class Promote implements Callable<Integer> {
        @Mixin
        DataDirOption dataDir;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "VERSION")
        int version;

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why: kept in the history.")
        String reason;

        @Override
        public Integer call() {
            if (reason.isBlank()) {
                throw new UsageException("--reason must say why");
            }
            try (PlatformStack stack = stack(dataDir)) {
                ModelRegistry registry = stack.registry();
                if (registry.versions(name).stream().noneMatch(v -> v.version() == version)) {
                    throw new UsageException("model '" + name + "' has no version " + version);
                }
                Integer current = registry.aliases(name).get(RetrainActivitiesImpl.CHAMPION);
                if (current != null && current == version) {
                    throw new UsageException(name + "@" + version + " is the champion already");
                }
                String actor = ModelRegistry.currentUser();
                if (current != null) {
                    registry.setAlias(
                            name,
                            RetrainActivitiesImpl.PREVIOUS,
                            current,
                            actor,
                            "replaced by version " + version + ": " + reason);
                }
                registry.setAlias(name, RetrainActivitiesImpl.CHAMPION, version, actor, reason);
                ConsoleOutput.system()
                        .printf(
                                "%s@%s → version %d%s",
                                name,
                                RetrainActivitiesImpl.CHAMPION,
                                version,
                                current == null ? "" : " (@" + RetrainActivitiesImpl.PREVIOUS + " → " + current + ")");
            } catch (ModelNotFoundException e) {
                throw new UsageException(e.getMessage());
            }
            return ExitCodes.OK;
        }
    }
}
