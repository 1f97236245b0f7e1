<#-- NOTICE of the distribution: written by license-maven-plugin (add-third-party) from the POMs of what lib/ ships. -->
smcontainers (the version is in VERSION)
Licensed under the Apache License, Version 2.0 (LICENSE).

lib/ ships the following third-party libraries, each under the licence(s) named (from its POM):

<#list dependencyMap as e>
<#assign p = e.getKey()/>
<#assign licenses = e.getValue()/>
${p.groupId}:${p.artifactId}:${p.version}
    ${p.name!p.artifactId}<#if p.url??> - ${p.url}</#if>
    Licence: <#list licenses as l>${l}<#sep> / </#sep></#list>
</#list>
