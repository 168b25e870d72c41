package dev.causalcxr.core.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import ai.djl.ndarray.NDArray;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * DJL's array-by-number overloads whose backward keeps the number ({@code mul}, {@code div}, {@code pow},
 * {@code maximum}, {@code minimum} and their in-place forms) free that number's memory as soon as they return
 * ({@link ScalarOps}). Inside a gradient collector, backward then reads freed memory once the garbage collector has
 * run: FindingLayers' {@code mul(-2f)} gave inf, NaN and 1e18 gradients in one step of a few hundred, and the run
 * fell into a KL trap it never left (bench/generator/RESULTS.md, "The instability of finding layers was a
 * use-after-free"). Every product code path goes through ScalarOps instead, inside a collector or not, so the rule
 * needs no exceptions.
 */
class ScalarOpsRuleTest {

    private static final String[] KEEPS_ITS_OPERAND = {"mul", "div", "pow", "maximum", "minimum", "muli", "divi", "powi"
    };

    @Test
    void noProductCodeCallsAnArrayByNumberOverloadWhoseBackwardKeepsTheNumber() {
        JavaClasses product = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.causalcxr");
        // one composite rule, so that a failure lists every offending call at once
        CompositeArchRule rule = CompositeArchRule.of(Arrays.stream(KEEPS_ITS_OPERAND)
                .map(method -> (ArchRule) noClasses()
                        .that()
                        .doNotHaveFullyQualifiedName(ScalarOps.class.getName())
                        .should()
                        .callMethod(NDArray.class, method, Number.class)
                        .because("DJL frees the number while autograd still holds it: use ScalarOps"))
                .toList());
        rule.check(product);
    }
}
