package com.example.consumer;

import io.smcontainers.env.core.HardwareInfo;
import io.smcontainers.env.core.TrainingEnv;

/** Prints the command-line arguments the job in SAGEMAKER_BASE_DIR gives its user script. */
public final class PrintArgs {
    private PrintArgs() {}

    public static void main(String[] args) {
        TrainingEnv env = TrainingEnv.read(System.getenv(), HardwareInfo.fixed(0, 0, 1));
        System.out.println(String.join(" ", env.cmdArgs()));
    }
}
