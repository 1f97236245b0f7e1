package io.smcontainers.launcher;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.smcontainers.launcher.process.StopSignal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module layering and banned calls, over the production classes of every module on the launcher's class
 * path (the launcher depends on all of them). When a rule fails: fix the code; if the rule is wrong, change
 * the rule here with a reason. Nothing is frozen.
 */
class ArchitectureTest {
    private static final String ROOT = "io.smcontainers";
    private static JavaClasses production;
    private static JavaClasses tests;

    private static final List<String> MODULES =
            List.of("env-core", "framework-spi", "gpu-probe", "intermediate-sync", "launcher", "serving-netty");

    @BeforeAll
    static void importClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
        // the test classes of every module, built before the launcher in this reactor
        List<Path> testOutputs = new ArrayList<>();
        for (String module : MODULES) {
            testOutputs.add(Path.of("..", module, "target", "test-classes"));
        }
        tests = new ClassFileImporter().importPaths(testOutputs);
    }

    @Test
    void everyModulesTestClassesAreThere() {
        // the naming rule below reads these folders: a missing one would pass it silently
        for (String module : MODULES) {
            Path output = Path.of("..", module, "target", "test-classes");
            assertTrue(
                    Files.isDirectory(output),
                    output + " is missing: build the reactor (mvn verify) before the launcher's tests");
        }
    }

    @Test
    void theClassPathHoldsEveryModuleThatExists() {
        // guards the rules below against passing on an empty import
        for (String module :
                List.of("env.core", "framework.spi", "gpu.probe", "intermediate.sync", "launcher", "serving.netty")) {
            classes()
                    .that()
                    .resideInAPackage(ROOT + "." + module + "..")
                    .should()
                    .bePublic()
                    .orShould()
                    .notBePublic()
                    .allowEmptyShould(false)
                    .check(production);
        }
    }

    @Test
    void frameworkSpiDependsOnTheJdkOnly() {
        classes()
                .that()
                .resideInAPackage(ROOT + ".framework.spi..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("java..", ROOT + ".framework.spi..")
                .because("framework containers compile against the SPI; it must not drag anything in")
                .check(production);
    }

    @Test
    void gpuProbeDependsOnNoOtherModule() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".gpu.probe..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        ROOT + ".env.core..",
                        ROOT + ".launcher..",
                        ROOT + ".framework.spi..",
                        ROOT + ".serving.netty..",
                        ROOT + ".intermediate.sync..")
                .because("gpu-probe sits at the bottom of the layering")
                .check(production);
    }

    @Test
    void envCoreDependsAtMostOnGpuProbe() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".env.core..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        ROOT + ".launcher..",
                        ROOT + ".framework.spi..",
                        ROOT + ".serving.netty..",
                        ROOT + ".intermediate.sync..")
                .because(
                        "env-core is the model every other module reads; it may use gpu-probe and nothing else of ours")
                .check(production);
    }

    @Test
    void sharedProcessPlumbingIsJdkOnly() {
        classes()
                .that()
                .resideInAPackage(ROOT + ".env.core.process..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("java..", ROOT + ".env.core.process..")
                .because(
                        "the launcher and serving-netty share it for signals and /proc; it stays small and drags nothing in")
                .check(production);
    }

    @Test
    void nothingDependsOnTheLauncher() {
        noClasses()
                .that()
                .resideOutsideOfPackage(ROOT + ".launcher..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(ROOT + ".launcher..")
                .because("the launcher is the top of the graph: it wires everything and nothing wires it")
                .check(production);
    }

    @Test
    void nettyOnlyInServingNetty() {
        noClasses()
                .that()
                .resideOutsideOfPackage(ROOT + ".serving.netty..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.netty..")
                .because("Netty is an implementation detail of the serving runtime")
                .allowEmptyShould(true)
                .check(production);
    }

    @Test
    void theCodecsStandAlone() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".serving.netty.codec..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.netty..")
                .orShould()
                .dependOnClassesThat()
                .resideInAPackage(ROOT + ".serving.netty")
                .because(
                        "the default codecs are plain Java over the SPI and env-core's Python emulation, usable without the server")
                .check(production);
    }

    @Test
    void servingAndSyncAreIndependent() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".serving.netty..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(ROOT + ".intermediate.sync..")
                .check(production);
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".intermediate.sync..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(ROOT + ".serving.netty..", ROOT + ".framework.spi..")
                .check(production);
    }

    @Test
    void oneCompositionRoot() {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName(Bootstrap.class.getName())
                .should()
                .callMethodWhere(target(owner(type(Guice.class))))
                .because("Bootstrap builds the one injector of each command from the library modules")
                .check(production);
    }

    @Test
    void signalsAreHandledInOnePlace() {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName(StopSignal.class.getName())
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName("sun.misc.Signal")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("sun.misc.SignalHandler")
                .because("StopSignal handles SIGTERM/SIGINT for train and serve")
                .check(production);
    }

    @Test
    void theSpiNeverMentionsGuice() throws Exception {
        // the types are covered by frameworkSpiDependsOnTheJdkOnly; this covers the docs a framework author reads
        Path spi = Path.of("..", "framework-spi");
        try (var files = Files.walk(spi.resolve("src/main"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(file);
                assertTrue(!text.contains("com.google.inject") && !text.contains("Guice"), file + " mentions Guice");
            }
        }
        String readme = Files.readString(spi.resolve("README.md"));
        assertTrue(
                !readme.contains("com.google.inject") && !readme.contains("Guice"),
                "framework-spi/README.md mentions Guice");
    }

    @Test
    void noJavaUtilLogging() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAPackage("java.util.logging..")
                .because("we log through slf4j only")
                .check(production);
    }

    @Test
    void processEnvironmentAndExitOnlyInTheEntryPoint() {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName(Main.class.getName())
                .should()
                .callMethod(System.class, "getenv")
                .orShould()
                .callMethod(System.class, "getenv", String.class)
                .orShould()
                .callMethod(System.class, "exit", int.class)
                .orShould()
                .callMethod(Runtime.class, "exit", int.class)
                .because("the environment is read once and passed down, and only the entry point decides the exit code")
                .check(production);
    }

    @Test
    void caseConversionNamesItsLocale() {
        noClasses()
                .should()
                .callMethod(String.class, "toUpperCase")
                .orShould()
                .callMethod(String.class, "toLowerCase")
                .because("the default locale changes results (Turkish dotless i); use Locale.ROOT")
                .check(production);
    }

    @Test
    void noPackageCycles() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(production);
    }

    @Test
    void testClassesAreNamedSoTheyRun() {
        methods()
                .that()
                .areAnnotatedWith(Test.class)
                .or()
                .areAnnotatedWith(org.junit.jupiter.params.ParameterizedTest.class)
                .should()
                .beDeclaredInClassesThat()
                .haveSimpleNameEndingWith("Test")
                .orShould()
                .beDeclaredInClassesThat()
                .haveSimpleNameEndingWith("IT")
                .because("surefire runs *Test and failsafe runs *IT; any other name is silently skipped")
                .check(tests);
    }
}
