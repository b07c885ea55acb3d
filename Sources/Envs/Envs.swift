// Envs module.
