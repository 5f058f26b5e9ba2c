export * from "@vidai/core";
