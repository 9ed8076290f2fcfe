import { DynamicModule, INestMicroservice, Injectable, Module, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions } from '@nestjs/microservices';
import { AppConfig } from '@suite/config';
import { workflowControlTransport, WorkflowFleet } from '@suite/workflow-watch';
import { WorkflowControlController } from './workflow-control.controller';

@Module({})
class WorkflowControlModule {
  static forFleet(fleet: WorkflowFleet): DynamicModule {
    return { module: WorkflowControlModule, controllers: [WorkflowControlController], providers: [{ provide: WorkflowFleet, useValue: fleet }] };
  }
}

/**
 * The control channel's server: a Nest microservice on the Redis transport, run beside this app
 * context and sharing its WorkflowFleet, so @EventPattern handlers receive the gateway's messages.
 */
@Injectable()
export class WorkflowControlServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private microservice?: INestMicroservice;

  constructor(
    private readonly config: AppConfig,
    private readonly fleet: WorkflowFleet,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.WORKFLOW_LISTENER_ENABLED) return;
    this.microservice = await NestFactory.createMicroservice<MicroserviceOptions>(WorkflowControlModule.forFleet(this.fleet), {
      ...workflowControlTransport(this.config),
      // Keep the app's logger (set globally by the app context) and its shutdown handling.
      abortOnError: false,
    });
    await this.microservice.listen();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.microservice?.close();
  }
}
